import type {
  OpsHubMaintenanceWindow,
  OpsHubMaintenanceWindowInput,
} from '@opshub/plugin-opshub-common';

/**
 * Health checks' maintenance windows. Creating and deleting one is scoped
 * to the check's entity: a check of another entity is not found.
 */
export interface MaintenanceWindowStore {
  /** Undefined when the entity has no such check. */
  create(
    entityRef: string,
    checkId: string,
    window: OpsHubMaintenanceWindowInput,
    createdBy: string,
  ): Promise<OpsHubMaintenanceWindow | undefined>;
  /** False when that check of that entity has no such window. */
  delete(
    entityRef: string,
    checkId: string,
    windowId: string,
  ): Promise<boolean>;
  /**
   * The windows of each check that has any, oldest first, leaving out
   * one-off windows ended by `nowMs`.
   */
  listForChecks(
    checkIds: string[],
    nowMs: number,
  ): Promise<Map<string, OpsHubMaintenanceWindow[]>>;
  /** The checks among `checkIds` with a window open at `atMs`. */
  inMaintenance(checkIds: string[], atMs: number): Promise<Set<string>>;
}
