import {
  minimumRoleFor,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { seedPreview } from '../../__testUtils__/previews';
import { as, asService } from '../../__testUtils__/rbacBackend';

/**
 * What each action requires, as its route does. `hidden`: a caller who may
 * not read the preview gets NotFound, as for an unknown id. `conflict`: the
 * sample preview's state refuses the change (409) once the caller is
 * allowed, so the matrix changes nothing.
 */
export const ACTION_REQUIREMENTS: Record<
  string,
  {
    permission: string;
    scope: 'project' | 'installation';
    hidden?: true;
    allowedStatus?: 409;
  }
> = {
  'list-previews': { permission: 'opshub.preview.read', scope: 'project' },
  'get-preview': {
    permission: 'opshub.preview.read',
    scope: 'project',
    hidden: true,
  },
  'redeploy-preview': {
    permission: 'opshub.preview.manage',
    scope: 'project',
    hidden: true,
    allowedStatus: 409,
  },
  'destroy-preview': {
    permission: 'opshub.preview.manage',
    scope: 'project',
    hidden: true,
    allowedStatus: 409,
  },
  'get-health': { permission: 'opshub.health.read', scope: 'project' },
  'get-deploy-analytics': {
    permission: 'opshub.analytics.read',
    scope: 'project',
  },
  'list-env-var-names': { permission: 'opshub.envvar.read', scope: 'project' },
  'list-deliveries': { permission: 'opshub.admin', scope: 'installation' },
};

/** Who calls: a user or a service principal, and the role they hold where. */
export interface ActionCaller {
  name: string;
  headers: Record<string, string>;
  role?: OpsHubRole;
  /** Org-level roles hold on every project and the installation. */
  orgLevel: boolean;
}

export const ACTION_CALLERS: ActionCaller[] = [
  ...OPSHUB_ROLES.flatMap(role => [
    {
      name: `user:default/project-${role}`,
      headers: as(`user:default/project-${role}`),
      role,
      orgLevel: false,
    },
    {
      name: `user:default/org-${role}`,
      headers: as(`user:default/org-${role}`),
      role,
      orgLevel: true,
    },
    {
      name: `external:svc-${role}`,
      headers: asService(`external:svc-${role}`),
      role,
      orgLevel: true,
    },
  ]),
  {
    name: 'user:default/nobody',
    headers: as('user:default/nobody'),
    orgLevel: false,
  },
  // Every static-token MCP caller, until given a role.
  {
    name: 'plugin:mcp-actions',
    headers: asService('plugin:mcp-actions'),
    orgLevel: false,
  },
];

/**
 * The status an action answers a caller, by the table. On `otherProject`
 * (one the project-level callers hold no role on) only org-level roles
 * count.
 */
export function expectedActionStatus(
  name: string,
  caller: ActionCaller,
  options: { otherProject?: boolean } = {},
): number {
  const required = ACTION_REQUIREMENTS[name];
  const minimum = minimumRoleFor(required.permission)!;
  const role =
    options.otherProject && !caller.orgLevel ? undefined : caller.role;
  const scoped = required.scope === 'project' || caller.orgLevel;
  if (scoped && roleAtLeast(role, minimum)) {
    return required.allowedStatus ?? 200;
  }
  const mayRead = roleAtLeast(role, 'viewer');
  return required.hidden && !mayRead ? 404 : 403;
}

/**
 * Seeds a queued and a destroyed preview of `entityRef` (its repository
 * `acme/<name>`) and answers each action's input on that project: the
 * changes the matrix asks for are refused by the previews' states (409),
 * so it changes nothing.
 */
export async function seedActionInputs(
  knex: Knex,
  entityRef: string,
): Promise<Record<string, Record<string, unknown>>> {
  const seed = (prNumber: number, state: 'queued' | 'destroyed') =>
    seedPreview(knex, {
      entityRef,
      prNumber,
      state,
      repository: `acme/${entityRef.split('/')[1]}`,
    });
  const queued = await seed(1, 'queued');
  const destroyed = await seed(2, 'destroyed');
  const entity = { entityRef };
  return {
    'list-previews': entity,
    'get-preview': { previewId: queued },
    'redeploy-preview': { previewId: queued },
    'destroy-preview': { previewId: destroyed },
    'get-health': entity,
    'get-deploy-analytics': entity,
    'list-env-var-names': entity,
    'list-deliveries': {},
  };
}
