import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createOpsHubActions } from './actions';

/**
 * OpsHub's scaffolder actions: `opshub:github:webhook`,
 * `opshub:catalog:annotate`, `opshub:project:configure` and
 * `opshub:preview:status`.
 *
 * @public
 */
export const scaffolderModuleOpsHub = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'opshub',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        permissions: coreServices.permissions,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
      },
      async init({ scaffolder, ...deps }) {
        scaffolder.addActions(...createOpsHubActions(deps));
      },
    });
  },
});
