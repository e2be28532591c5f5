import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  OpsHubActivity,
  OpsHubAnalyticsOverview,
  OpsHubBinding,
  OpsHubDelivery,
  OpsHubDeployAnalytics,
  OpsHubDeployEnvironmentClass,
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

/**
 * Where roles and activity live: one project (its entity), or the whole
 * installation (`'org'`).
 *
 * @public
 */
export type OpsHubScope = CompoundEntityRef | 'org';

/**
 * One environment variable of an entity: its environment, its name and, for a
 * preview branch override, the branch (null or absent: none).
 *
 * @public
 */
export interface OpsHubEnvVarKey {
  environment: string;
  name: string;
  branch?: string | null;
}

/**
 * A window of whole UTC days, both inclusive (`YYYY-MM-DD`), and optionally
 * one environment class (absent: every deploy).
 *
 * @public
 */
export interface OpsHubDeployAnalyticsQuery {
  from: string;
  to: string;
  environment?: OpsHubDeployEnvironmentClass;
}

/**
 * A window of the org overview and its page: at most `limit` entities, after
 * the cursor `after` (a previous page's `nextCursor`).
 *
 * @public
 */
export interface OpsHubAnalyticsOverviewQuery {
  from: string;
  to: string;
  limit?: number;
  after?: string;
}

/**
 * A group (by namespace and name) and a window of whole UTC days, both
 * inclusive (`YYYY-MM-DD`).
 *
 * @public
 */
export interface OpsHubGroupAnalyticsQuery {
  namespace: string;
  name: string;
  from: string;
  to: string;
}

/**
 * The OpsHub backend, as the frontend sees it.
 *
 * @public
 */
export interface OpsHubApi {
  getEntitySummary(entity: CompoundEntityRef): Promise<OpsHubEntitySummary>;
  getEffectiveRole(entity: CompoundEntityRef): Promise<OpsHubEffectiveRole>;
  listAssignments(scope: OpsHubScope): Promise<OpsHubRoleAssignment[]>;
  addAssignment(
    scope: OpsHubScope,
    assignment: { subjectRef: string; role: OpsHubRole },
  ): Promise<OpsHubRoleAssignment>;
  removeAssignment(scope: OpsHubScope, id: string): Promise<void>;
  listActivity(scope: OpsHubScope): Promise<OpsHubActivity[]>;
  getQueueStats(): Promise<OpsHubJobCount[]>;
  listJobs(filter: { state?: OpsHubJobState }): Promise<OpsHubJob[]>;
  retryJob(id: string): Promise<OpsHubJob>;
  listDeliveries(): Promise<OpsHubDelivery[]>;
  redeliver(deliveryId: string): Promise<void>;
  listPreviews(entity: CompoundEntityRef): Promise<OpsHubPreview[]>;
  /** Redeploy, approve (a fork's head) or destroy a preview. */
  changePreview(
    id: string,
    change: 'redeploy' | 'approve' | 'destroy',
  ): Promise<OpsHubPreview>;
  /**
   * Entities' repository bindings (org owners only); with `verified: false`
   * only those OpsHub does not trust yet.
   */
  getBindings(filter?: { verified?: boolean }): Promise<OpsHubBinding[]>;
  /**
   * Approve an entity's binding to its repository (org owners only);
   * `repository` (`owner/name`), when given, is the one the approver saw and
   * approves. Returns the approved binding.
   */
  approveBinding(
    entityRef: string | CompoundEntityRef,
    repository?: string,
  ): Promise<OpsHubBinding>;
  /** Revoke an org owner's approval of an entity's binding; the binding after. */
  revokeBinding(entityRef: string | CompoundEntityRef): Promise<OpsHubBinding>;
  /** An entity's environment variables (values masked), of one environment or all. */
  listEnvVars(
    entity: CompoundEntityRef,
    filter?: { environment?: string },
  ): Promise<OpsHubEnvVar[]>;
  /**
   * Create or change a variable; `created` tells a new variable (201) from a
   * changed or unchanged one (200).
   */
  setEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
    change: { value: string; sensitive?: boolean; comment?: string },
  ): Promise<{ item: OpsHubEnvVar; created: boolean }>;
  /** Delete a variable; returns it as it was (masked). */
  deleteEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<OpsHubEnvVar>;
  /** A variable's plaintext (audited; refused for sensitive ones). */
  revealEnvVar(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<string>;
  listEnvVarVersions(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
  ): Promise<OpsHubEnvVarVersion[]>;
  /** Restore an earlier version as a new one; returns the variable (masked). */
  restoreEnvVarVersion(
    entity: CompoundEntityRef,
    key: OpsHubEnvVarKey,
    version: number,
  ): Promise<OpsHubEnvVar>;
  /**
   * Import a `.env` text into an environment; with `dryRun`, only report what
   * it would do and which lines are bad.
   */
  importEnvVars(
    entity: CompoundEntityRef,
    environment: string,
    dotenv: string,
    options?: { dryRun?: boolean },
  ): Promise<OpsHubEnvVarImportResult>;
  /** An environment's variables as `.env` text (sensitive ones as comments). */
  exportEnvVars(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<string>;
  /** An entity's health: its state (the worst of its checks') and its checks. */
  getHealth(entity: CompoundEntityRef): Promise<OpsHubEntityHealth>;
  /** Add a check (durations in milliseconds); returns it as created. */
  createHealthCheck(
    entity: CompoundEntityRef,
    input: OpsHubHealthCheckInput,
  ): Promise<OpsHubHealthCheck>;
  /** Change some of a check's fields (annotation checks refuse: 409). */
  updateHealthCheck(
    entity: CompoundEntityRef,
    checkId: string,
    changes: Partial<OpsHubHealthCheckInput>,
  ): Promise<OpsHubHealthCheck>;
  /** Delete a check with its samples and incidents (annotation checks refuse: 409). */
  deleteHealthCheck(entity: CompoundEntityRef, checkId: string): Promise<void>;
  /** A check's probes, newest first: since an ISO time, at most `limit` (≤ 1,000). */
  listHealthSamples(
    entity: CompoundEntityRef,
    checkId: string,
    options?: { since?: string; limit?: number },
  ): Promise<OpsHubHealthSample[]>;
  /** A check's incidents, newest first. */
  listHealthIncidents(
    entity: CompoundEntityRef,
    checkId: string,
    options?: { limit?: number },
  ): Promise<OpsHubHealthIncident[]>;
  /**
   * A check's hourly rollups from `from` to `to` (ISO times, at most 90 days
   * apart), oldest first.
   */
  listHealthRollups(
    entity: CompoundEntityRef,
    checkId: string,
    range: { from: string; to: string },
  ): Promise<OpsHubHealthRollup[]>;
  /** Add a maintenance window to a check; returns it as created. */
  addMaintenanceWindow(
    entity: CompoundEntityRef,
    checkId: string,
    input: OpsHubMaintenanceWindowInput,
  ): Promise<OpsHubMaintenanceWindow>;
  /** Delete one of a check's maintenance windows. */
  deleteMaintenanceWindow(
    entity: CompoundEntityRef,
    checkId: string,
    windowId: string,
  ): Promise<void>;
  /** An entity's deploys, times and failures over a window of UTC days. */
  getDeployAnalytics(
    entity: CompoundEntityRef,
    query: OpsHubDeployAnalyticsQuery,
  ): Promise<OpsHubDeployAnalytics>;
  /** The entities the caller may read with their deploys in a window, most first. */
  getAnalyticsOverview(
    query: OpsHubAnalyticsOverviewQuery,
  ): Promise<OpsHubAnalyticsOverview>;
  /**
   * DORA's keys over the tracked entities a group owns that the caller may
   * read, together and one by one, in a window.
   */
  getGroupAnalytics(
    query: OpsHubGroupAnalyticsQuery,
  ): Promise<OpsHubGroupAnalytics>;
}

/** @public */
export const opshubApiRef = createApiRef<OpsHubApi>({
  id: 'plugin.opshub.api',
});
