import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OpsHubPermissionPolicy } from './OpsHubPermissionPolicy';

/** Installs {@link OpsHubPermissionPolicy} as the permission policy. */
export const permissionModuleOpsHubPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'opshub-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        policy: policyExtensionPoint,
      },
      async init({ config, policy }) {
        const other = config.getOptionalString('opshub.rbac.otherPermissions');
        if (other !== undefined && other !== 'allow' && other !== 'deny') {
          throw new Error(
            `opshub.rbac.otherPermissions must be allow or deny, not '${other}'`,
          );
        }
        policy.setPolicy(new OpsHubPermissionPolicy(other ?? 'allow'));
      },
    });
  },
});
