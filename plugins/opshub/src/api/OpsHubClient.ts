import {
  type CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  OpsHubActivity,
  OpsHubAnalyticsOverview,
  OpsHubBinding,
  OpsHubDelivery,
  OpsHubDeployAnalytics,
  OpsHubEffectiveRole,
  OpsHubEntitySummary,
  OpsHubEnvVar,
  OpsHubEnvVarImportResult,
  OpsHubEnvVarVersion,
  OpsHubEntityHealth,
  OpsHubGroupAnalytics,
  OpsHubHealthCheck,
  OpsHubHealthCheckInput,
  OpsHubHealthIncident,
  OpsHubHealthRollup,
  OpsHubHealthSample,
  OpsHubJob,
  OpsHubJobCount,
  OpsHubJobState,
  OpsHubMaintenanceWindow,
  OpsHubMaintenanceWindowInput,
  OpsHubPreview,
  OpsHubRole,
  OpsHubRoleAssignment,
} from '@opshub/plugin-opshub-common';
import type {
  OpsHubAnalyticsOverviewQuery,
  OpsHubApi,
  OpsHubDeployAnalyticsQuery,
  OpsHubEnvVarKey,
  OpsHubGroupAnalyticsQuery,
  OpsHubScope,
} from './OpsHubApi';

/** `kind/namespace/name` of an entity, each part URL-encoded. */
const refPath = (entity: CompoundEntityRef) =>
  [entity.kind, entity.namespace, entity.name]
    .map(encodeURIComponent)
    .join('/');

const entityPath = (entity: CompoundEntityRef) =>
  `/entities/${refPath(entity)}`;

const bindingPath = (entityRef: string | CompoundEntityRef) =>
  `/org/bindings/${refPath(
    typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef,
  )}`;

const envVarsPath = (entity: CompoundEntityRef) =>
  `${entityPath(entity)}/envvars`;

/** A variable's route, and its branch override's query (if any). */
const envVarPath = (
  entity: CompoundEntityRef,
  key: OpsHubEnvVarKey,
  suffix = '',
) =>
  `${envVarsPath(entity)}/${encodeURIComponent(
    key.environment,
  )}/${encodeURIComponent(key.name)}${suffix}${
    key.branch ? `?branch=${encodeURIComponent(key.branch)}` : ''
  }`;

/** A health check's route, or the entity's health route without `checkId`. */
const healthPath = (entity: CompoundEntityRef, checkId?: string) =>
  `${entityPath(entity)}/health${
    checkId === undefined ? '' : `/checks/${encodeURIComponent(checkId)}`
  }`;

/** `?a=1&b=2` of the options that are set, or nothing. */
const queryOf = (options: Record<string, string | number | undefined>) => {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
};

const scopePath = (scope: OpsHubScope) =>
  scope === 'org' ? '/org' : entityPath(scope);

/**
 * Calls the OpsHub backend through Backstage's discovery and fetch APIs, so
 * the user's token travels with every request.
 *
 * @public
 */
export class OpsHubClient implements OpsHubApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getEntitySummary(entity: CompoundEntityRef): Promise<OpsHubEntitySummary> {
    return this.request(`${entityPath(entity)}/summary`);
  }

  getEffectiveRole(entity: CompoundEntityRef): Promise<OpsHubEffectiveRole> {
    return this.request(`${entityPath(entity)}/role`);
  }

  async listAssignments(scope: OpsHubScope): Promise<OpsHubRoleAssignment[]> {
    return (
      await this.request<{ items: OpsHubRoleAssignment[] }>(
        `${scopePath(scope)}/assignments`,
      )
    ).items;
  }

  addAssignment(
    scope: OpsHubScope,
    assignment: { subjectRef: string; role: OpsHubRole },
  ): Promise<OpsHubRoleAssignment> {
    return this.request(`${scopePath(scope)}/assignments`, {
      method: 'POST',
      body: assignment,
    });
  }

  async removeAssignment(scope: OpsHubScope, id: string): Promise<void> {
    await this.request(
      `${scopePath(scope)}/assignments/${encodeURIComponent(id)}`,
      { method: 'DELETE' },
    );
  }

  async listActivity(scope: OpsHubScope): Promise<OpsHubActivity[]> {
    return (
      await this.request<{ items: OpsHubActivity[] }>(
        `${scopePath(scope)}/activity`,
      )
    ).items;
  }

  async getQueueStats(): Promise<OpsHubJobCount[]> {
    return (await this.request<{ counts: OpsHubJobCount[] }>('/queue/stats'))
      .counts;
  }

  async listJobs(filter: { state?: OpsHubJobState }): Promise<OpsHubJob[]> {
    const query = filter.state ? `?state=${filter.state}` : '';
    return (await this.request<{ items: OpsHubJob[] }>(`/queue/jobs${query}`))
      .items;
  }

  retryJob(id: string): Promise<OpsHubJob> {
    return this.request(`/queue/jobs/${encodeURIComponent(id)}/retry`, {
      method: 'POST',
    });
  }

  async listDeliveries(): Promise<OpsHubDelivery[]> {
    return (
      await this.request<{ items: OpsHubDelivery[] }>('/webhooks/deliveries')
    ).items;
  }

  async redeliver(deliveryId: string): Promise<void> {
    await this.request(
      `/webhooks/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
      { method: 'POST' },
    );
  }

  async listPreviews(entity: CompoundEntityRef): Promise<OpsHubPreview[]> {
    const ref = encodeURIComponent(stringifyEntityRef(entity));
    const { items } = await this.request<{ items: OpsHubPreview[] }>(
      `/previews?entityRef=${ref}`,
    );
    return items;
  }

  async changePreview(
    id: string,
    change: 'redeploy' | 'approve' | 'destroy',
  ): Promise<OpsHubPreview> {
    const path = `/previews/${encodeURIComponent(id)}`;
    return change === 'destroy'
      ? this.request(path, { method: 'DELETE' })
      : this.request(`${path}/${change}`, { method: 'POST' });
  }

  async getBindings(
    filter: { verified?: boolean } = {},
  ): Promise<OpsHubBinding[]> {
    const query =
      filter.verified === undefined ? '' : `?verified=${filter.verified}`;
    return (
      await this.request<{ items: OpsHubBinding[] }>(`/org/bindings${query}`)
    ).items;
  }

  approveBinding(
    entityRef: string | CompoundEntityRef,
    repository?: string,
  ): Promise<OpsHubBinding> {
    return this.request(bindingPath(entityRef), {
      method: 'PUT',
      body: repository === undefined ? {} : { repository },
    });
  }

  revokeBinding(entityRef: string | CompoundEntityRef): Promise<OpsHubBinding> {
    return this.request(bindingPath(entityRef), { method: 'DELETE' });
  }

  async listEnvVars(
    entity: CompoundEntityRef,
    filter: { environment?: string } = {},
  ): Promise<OpsHubEnvVar[]> {
    const query = filter.environment
      ? `?environment=${encodeURIComponent(filter.environment)}`
      : '';
    return (
      await this.request<{ items: OpsHubEnvVar[] }>(
        `${envVarsPath(entity)}${query}`,
      )
    ).items;
  }

  async setEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
    change: { value: string; sensitive?: boolean; comment?: string },
  ): Promise<{ item: OpsHubEnvVar; created: boolean }> {
    const response = await this.send(envVarPath(entity, key), {
      method: 'PUT',
      body: change,
    });
    return {
      item: (await response.json()) as OpsHubEnvVar,
      created: response.status === 201,
    };
  }

  deleteEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<OpsHubEnvVar> {
    return this.request(envVarPath(entity, key), { method: 'DELETE' });
  }

  async revealEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<string> {
    return (
      await this.request<{ value: string }>(
        envVarPath(entity, key, '/reveal'),
        { method: 'POST' },
      )
    ).value;
  }

  async listEnvVarVersions(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<OpsHubEnvVarVersion[]> {
    return (
      await this.request<{ items: OpsHubEnvVarVersion[] }>(
        envVarPath(entity, key, '/versions'),
      )
    ).items;
  }

  restoreEnvVarVersion(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
    version: number,
  ): Promise<OpsHubEnvVar> {
    return this.request(
      envVarPath(entity, key, `/versions/${version}/restore`),
      { method: 'POST' },
    );
  }

  importEnvVars(
    entity: CompoundEntityRef,
    environment: string,
    dotenv: string,
    options: { dryRun?: boolean } = {},
  ): Promise<OpsHubEnvVarImportResult> {
    return this.request(
      `${envVarsPath(entity)}/${encodeURIComponent(environment)}/import${
        options.dryRun ? '?dryRun=true' : ''
      }`,
      { method: 'POST', text: dotenv },
    );
  }

  async exportEnvVars(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<string> {
    const response = await this.send(
      `${envVarsPath(entity)}/${encodeURIComponent(environment)}/export`,
    );
    return response.text();
  }

  getHealth(entity: CompoundEntityRef): Promise<OpsHubEntityHealth> {
    return this.request(healthPath(entity));
  }

  createHealthCheck(
    entity: CompoundEntityRef,
    input: OpsHubHealthCheckInput,
  ): Promise<OpsHubHealthCheck> {
    return this.request(`${healthPath(entity)}/checks`, {
      method: 'POST',
      body: input,
    });
  }

  updateHealthCheck(
    entity: CompoundEntityRef,
    checkId: string,
    changes: Partial<OpsHubHealthCheckInput>,
  ): Promise<OpsHubHealthCheck> {
    return this.request(healthPath(entity, checkId), {
      method: 'PATCH',
      body: changes,
    });
  }

  async deleteHealthCheck(
    entity: CompoundEntityRef,
    checkId: string,
  ): Promise<void> {
    // 204: no body to parse.
    await this.send(healthPath(entity, checkId), { method: 'DELETE' });
  }

  listHealthSamples(
    entity: CompoundEntityRef,
    checkId: string,
    options: { since?: string; limit?: number } = {},
  ): Promise<OpsHubHealthSample[]> {
    return this.request(
      `${healthPath(entity, checkId)}/samples${queryOf(options)}`,
    );
  }

  listHealthIncidents(
    entity: CompoundEntityRef,
    checkId: string,
    options: { limit?: number } = {},
  ): Promise<OpsHubHealthIncident[]> {
    return this.request(
      `${healthPath(entity, checkId)}/incidents${queryOf(options)}`,
    );
  }

  listHealthRollups(
    entity: CompoundEntityRef,
    checkId: string,
    range: { from: string; to: string },
  ): Promise<OpsHubHealthRollup[]> {
    return this.request(
      `${healthPath(entity, checkId)}/rollups${queryOf(range)}`,
    );
  }

  addMaintenanceWindow(
    entity: CompoundEntityRef,
    checkId: string,
    input: OpsHubMaintenanceWindowInput,
  ): Promise<OpsHubMaintenanceWindow> {
    return this.request(`${healthPath(entity, checkId)}/maintenance`, {
      method: 'POST',
      body: input,
    });
  }

  async deleteMaintenanceWindow(
    entity: CompoundEntityRef,
    checkId: string,
    windowId: string,
  ): Promise<void> {
    // 204: no body to parse.
    await this.send(
      `${healthPath(entity, checkId)}/maintenance/${encodeURIComponent(
        windowId,
      )}`,
      { method: 'DELETE' },
    );
  }

  getDeployAnalytics(
    entity: CompoundEntityRef,
    query: OpsHubDeployAnalyticsQuery,
  ): Promise<OpsHubDeployAnalytics> {
    return this.request(
      `${entityPath(entity)}/analytics${queryOf({ ...query })}`,
    );
  }

  getAnalyticsOverview(
    query: OpsHubAnalyticsOverviewQuery,
  ): Promise<OpsHubAnalyticsOverview> {
    return this.request(`/analytics/overview${queryOf({ ...query })}`);
  }

  getGroupAnalytics(
    query: OpsHubGroupAnalyticsQuery,
  ): Promise<OpsHubGroupAnalytics> {
    const { namespace, name, from, to } = query;
    const group = [namespace, name].map(encodeURIComponent).join('/');
    return this.request(`/analytics/groups/${group}${queryOf({ from, to })}`);
  }

  private async request<T>(
    path: string,
    init: { method?: string; body?: unknown; text?: string } = {},
  ): Promise<T> {
    return (await (await this.send(path, init)).json()) as T;
  }

  /** Sends a JSON (`body`) or `text/plain` (`text`) request; throws unless ok. */
  private async send(
    path: string,
    init: { method?: string; body?: unknown; text?: string } = {},
  ): Promise<Response> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('opshub');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(init.body),
      }),
      ...(init.text !== undefined && {
        headers: { 'Content-Type': 'text/plain' },
        body: init.text,
      }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
