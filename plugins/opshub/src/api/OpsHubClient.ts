import {
  type CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  OpsHubActivity,
  OpsHubBinding,
  OpsHubDelivery,
  OpsHubEffectiveRole,
  OpsHubEntitySummary,
  OpsHubJob,
  OpsHubJobCount,
  OpsHubJobState,
  OpsHubPreview,
  OpsHubRole,
  OpsHubRoleAssignment,
} from '@opshub/plugin-opshub-common';
import type { OpsHubApi, OpsHubScope } from './OpsHubApi';

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

  private async request<T>(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('opshub');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(init.body),
      }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
