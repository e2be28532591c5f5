import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Every OpsHub permission is a resource permission on this resource type,
 * keyed by the catalog entity ref of the project it concerns.
 */
export const OPSHUB_PROJECT_RESOURCE_TYPE = 'opshub-project';

/**
 * The reserved resource ref that stands for the whole installation: the
 * org-level permissions are asked about it.
 */
export const OPSHUB_INSTALLATION_REF = 'opshub:installation';

const projectPermission = (
  name: string,
  action: 'read' | 'create' | 'update' | 'delete',
) =>
  createPermission({
    name,
    attributes: { action },
    resourceType: OPSHUB_PROJECT_RESOURCE_TYPE,
  });

/** See the project's OpsHub tab: its summary, activity and settings. */
export const opshubProjectReadPermission = projectPermission(
  'opshub.project.read',
  'read',
);
/** Change a project's OpsHub settings. */
export const opshubProjectSettingsPermission = projectPermission(
  'opshub.project.settings',
  'update',
);
export const opshubPreviewReadPermission = projectPermission(
  'opshub.preview.read',
  'read',
);
/** Redeploy and destroy previews. */
export const opshubPreviewManagePermission = projectPermission(
  'opshub.preview.manage',
  'update',
);
/** Approve the preview of a pull request from a fork. */
export const opshubPreviewApprovePermission = projectPermission(
  'opshub.preview.approve',
  'update',
);
/** Environment variable names and masked values. */
export const opshubEnvVarReadPermission = projectPermission(
  'opshub.envvar.read',
  'read',
);
/** Write environment variables of non-production environments. */
export const opshubEnvVarWritePermission = projectPermission(
  'opshub.envvar.write',
  'update',
);
/** Write environment variables of production environments. */
export const opshubEnvVarWriteProductionPermission = projectPermission(
  'opshub.envvar.write.production',
  'update',
);
/** See secret values in clear. */
export const opshubEnvVarRevealPermission = projectPermission(
  'opshub.envvar.reveal',
  'read',
);
export const opshubHealthReadPermission = projectPermission(
  'opshub.health.read',
  'read',
);
export const opshubHealthManagePermission = projectPermission(
  'opshub.health.manage',
  'update',
);
export const opshubAnalyticsReadPermission = projectPermission(
  'opshub.analytics.read',
  'read',
);
/** See who holds which role. */
export const opshubRoleReadPermission = projectPermission(
  'opshub.role.read',
  'read',
);
/** Add and remove role assignments. */
export const opshubRoleManagePermission = projectPermission(
  'opshub.role.manage',
  'update',
);
/**
 * Administer the installation: job queue, webhook deliveries, org-level
 * roles. Asked about {@link OPSHUB_INSTALLATION_REF}.
 */
export const opshubAdminPermission = projectPermission(
  'opshub.admin',
  'update',
);

/** Every OpsHub permission, for the permission registry. */
export const opshubPermissions = [
  opshubProjectReadPermission,
  opshubProjectSettingsPermission,
  opshubPreviewReadPermission,
  opshubPreviewManagePermission,
  opshubPreviewApprovePermission,
  opshubEnvVarReadPermission,
  opshubEnvVarWritePermission,
  opshubEnvVarWriteProductionPermission,
  opshubEnvVarRevealPermission,
  opshubHealthReadPermission,
  opshubHealthManagePermission,
  opshubAnalyticsReadPermission,
  opshubRoleReadPermission,
  opshubRoleManagePermission,
  opshubAdminPermission,
];
