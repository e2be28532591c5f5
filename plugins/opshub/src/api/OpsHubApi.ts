import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
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

/**
 * Where roles and activity live: one project (its entity), or the whole
 * installation (`'org'`).
 *
 * @public
 */
export type OpsHubScope = CompoundEntityRef | 'org';

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
}

/** @public */
export const opshubApiRef = createApiRef<OpsHubApi>({
  id: 'plugin.opshub.api',
});
