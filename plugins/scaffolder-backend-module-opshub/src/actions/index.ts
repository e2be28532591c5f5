import type { OpsHubActionDeps } from '../deps';

/** Every OpsHub action, built with the module's services. */
export function createOpsHubActions(_deps: OpsHubActionDeps) {
  return [];
}
