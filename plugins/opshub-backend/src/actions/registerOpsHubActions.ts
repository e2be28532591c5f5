import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { pathToNul } from '../http/validation';
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
export function registerOpsHubActions(options: OpsHubActionsDeps) {
  const deps = {
    ...options,
    actionsRegistry: refusingNul(options.actionsRegistry),
  };
  registerPreviewReadActions(deps);
  registerPreviewChangeActions(deps);
  registerHealthAction(deps);
  registerDeployAnalyticsAction(deps);
  registerEnvVarNamesAction(deps);
  registerDeliveriesAction(deps);
}

/**
 * The registry, except that each action refuses an input with a NUL
 * character in any string or key (InputError, 400) before it runs, as the
 * routes do (`parseInput`): PostgreSQL can neither store nor compare one.
 */
function refusingNul(registry: ActionsRegistryService): ActionsRegistryService {
  return {
    register(action) {
      registry.register({
        ...action,
        action: async context => {
          const nul = pathToNul(context.input);
          if (nul) {
            throw new InputError(
              `Invalid input: ${
                nul.length > 0 ? `${nul.join('.')}: ` : ''
              }must not contain NUL characters`,
            );
          }
          return action.action(context);
        },
      });
    },
  };
}
