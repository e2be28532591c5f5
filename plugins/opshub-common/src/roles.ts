import { opshubPermissions } from './permissions';

/** OpsHub roles, lowest first: each holds everything the ones before it do. */
export const OPSHUB_ROLES = [
  'viewer',
  'developer',
  'maintainer',
  'owner',
] as const;

export type OpsHubRole = (typeof OPSHUB_ROLES)[number];

export function isOpsHubRole(value: unknown): value is OpsHubRole {
  return OPSHUB_ROLES.includes(value as OpsHubRole);
}

/** True when `role` is `minimum` or higher; no role is never enough. */
export function roleAtLeast(
  role: OpsHubRole | undefined,
  minimum: OpsHubRole,
): boolean {
  return (
    role !== undefined &&
    OPSHUB_ROLES.indexOf(role) >= OPSHUB_ROLES.indexOf(minimum)
  );
}

/** The highest of some roles, or undefined when there are none. */
export function highestRole(
  roles: Iterable<OpsHubRole | undefined>,
): OpsHubRole | undefined {
  let highest: OpsHubRole | undefined;
  for (const role of roles) {
    if (role && !roleAtLeast(highest, role)) highest = role;
  }
  return highest;
}

/**
 * The permission × role table: the lowest role that holds each OpsHub
 * permission. `opshub.admin` is asked about the installation, where only
 * org-level assignments count.
 */
export const OPSHUB_PERMISSION_ROLES: Readonly<Record<string, OpsHubRole>> = {
  'opshub.project.read': 'viewer',
  'opshub.preview.read': 'viewer',
  'opshub.envvar.read': 'viewer',
  'opshub.health.read': 'viewer',
  'opshub.analytics.read': 'viewer',
  'opshub.role.read': 'viewer',
  'opshub.preview.manage': 'developer',
  'opshub.envvar.write': 'developer',
  'opshub.project.settings': 'maintainer',
  'opshub.health.manage': 'maintainer',
  'opshub.envvar.write.production': 'maintainer',
  'opshub.envvar.reveal': 'maintainer',
  'opshub.preview.approve': 'maintainer',
  'opshub.role.manage': 'owner',
  'opshub.admin': 'owner',
};

/** The lowest role holding an OpsHub permission; undefined for others. */
export function minimumRoleFor(permissionName: string): OpsHubRole | undefined {
  return Object.prototype.hasOwnProperty.call(
    OPSHUB_PERMISSION_ROLES,
    permissionName,
  )
    ? OPSHUB_PERMISSION_ROLES[permissionName]
    : undefined;
}

/** Each OpsHub permission with the roles that hold it, for docs and the UI. */
export function permissionRoleTable(): Array<{
  permission: string;
  roles: Record<OpsHubRole, boolean>;
}> {
  return opshubPermissions.map(({ name }) => {
    const minimum = OPSHUB_PERMISSION_ROLES[name];
    return {
      permission: name,
      roles: Object.fromEntries(
        OPSHUB_ROLES.map(role => [role, roleAtLeast(role, minimum)]),
      ) as Record<OpsHubRole, boolean>,
    };
  });
}
