import type { Config } from '@backstage/config';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  opshubAdminPermission,
  opshubEnvVarWritePermission,
  opshubEnvVarWriteProductionPermission,
  opshubHealthManagePermission,
  opshubRoleManagePermission,
} from '@opshub/plugin-opshub-common';
import type { ConfigureInput } from './configureInput';

/**
 * `opshub.envvars.protectedEnvironments` as OpsHub reads it: writes there
 * need `opshub.envvar.write.production`; default `[production]`.
 */
export function protectedEnvironments(config: Config): Set<string> {
  return new Set(
    config.getOptionalStringArray('opshub.envvars.protectedEnvironments') ?? [
      'production',
    ],
  );
}

/** Exactly the permissions `input` needs on the project, none more. */
export function requiredPermissions(
  input: ConfigureInput,
  isProtected: (environment: string) => boolean,
): ResourcePermission[] {
  const variables = input.variables ?? [];
  return [
    ...(input.roles?.length ? [opshubRoleManagePermission] : []),
    ...(variables.length ? [opshubEnvVarWritePermission] : []),
    ...(variables.some(v => isProtected(v.environment))
      ? [opshubEnvVarWriteProductionPermission]
      : []),
    ...(input.healthChecks?.length ? [opshubHealthManagePermission] : []),
    ...(input.approveBinding ? [opshubAdminPermission] : []),
  ];
}
