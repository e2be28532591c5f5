import type { OpsHubApi } from '../api/OpsHubApi';

/** Every method of the API (the type makes a new method a compile error here). */
const METHODS: Record<keyof OpsHubApi, true> = {
  getEntitySummary: true,
  getEffectiveRole: true,
  listAssignments: true,
  addAssignment: true,
  removeAssignment: true,
  listActivity: true,
  getQueueStats: true,
  listJobs: true,
  retryJob: true,
  listDeliveries: true,
  redeliver: true,
  listPreviews: true,
  changePreview: true,
  getBindings: true,
  approveBinding: true,
  revokeBinding: true,
  listEnvVars: true,
  setEnvVar: true,
  deleteEnvVar: true,
  revealEnvVar: true,
  listEnvVarVersions: true,
  restoreEnvVarVersion: true,
  importEnvVars: true,
  exportEnvVars: true,
  getHealth: true,
  createHealthCheck: true,
  updateHealthCheck: true,
  deleteHealthCheck: true,
  listHealthSamples: true,
  listHealthIncidents: true,
  listHealthRollups: true,
  addMaintenanceWindow: true,
  deleteMaintenanceWindow: true,
  getDeployAnalytics: true,
  getAnalyticsOverview: true,
  getGroupAnalytics: true,
};

/**
 * An OpsHub API for a test: the `answers` given, and every other method
 * rejecting (a call the test did not expect fails it visibly).
 */
export function fakeOpsHubApi<T extends Partial<OpsHubApi>>(
  answers: T,
): OpsHubApi & T {
  const api: Record<string, unknown> = {};
  for (const method of Object.keys(METHODS)) {
    api[method] = async () => {
      throw new Error(`${method} was not expected in this test`);
    };
  }
  return Object.assign(api, answers) as OpsHubApi & T;
}
