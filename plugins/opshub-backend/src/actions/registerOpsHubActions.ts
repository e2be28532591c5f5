import { registerDeliveriesAction } from './deliveriesAction';
import { registerDeployAnalyticsAction } from './deployAnalyticsAction';
import { registerEnvVarNamesAction } from './envVarNamesAction';
import { registerHealthAction } from './healthAction';
import { registerPreviewChangeActions } from './previewChangeActions';
import { registerPreviewReadActions } from './previewReadActions';
import type { OpsHubActionsDeps } from './types';

/**
 * Registers OpsHub's actions with Backstage's actions registry (served to
 * MCP clients by `@backstage/plugin-mcp-actions-backend`), as
 * `opshub:<name>`. Each runs on the caller's credentials with the same
 * permission check, audit and mutation limit as the matching route.
 */
export function registerOpsHubActions(deps: OpsHubActionsDeps) {
  registerPreviewReadActions(deps);
  registerPreviewChangeActions(deps);
  registerHealthAction(deps);
  registerDeployAnalyticsAction(deps);
  registerEnvVarNamesAction(deps);
  registerDeliveriesAction(deps);
}
