import {
  minimumRoleFor,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import {
  asService,
  invokeAction,
  startActionsBackend,
} from '../__testUtils__/actionsBackend';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { as, assignEachRole, STOREFRONT } from '../__testUtils__/rbacBackend';

jest.setTimeout(180_000);

const databases = createTestDatabases();

/**
 * What each action requires, as its route does. `hidden`: a caller who may
 * not read the preview gets NotFound, as for an unknown id. `conflict`: the
 * sample preview's state refuses the change (409) once the caller is
 * allowed, so the matrix changes nothing.
 */
const REQUIRED: Record<
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
interface Caller {
  name: string;
  headers: Record<string, string>;
  role?: OpsHubRole;
  /** Org-level roles hold on every project and the installation. */
  orgLevel: boolean;
}

const CALLERS: Caller[] = [
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

/** The status an action answers a caller, by the table. */
function expectedStatus(name: string, caller: Caller): number {
  const required = REQUIRED[name];
  const minimum = minimumRoleFor(required.permission)!;
  const scoped = required.scope === 'project' || caller.orgLevel;
  if (scoped && roleAtLeast(caller.role, minimum)) {
    return required.allowedStatus ?? 200;
  }
  const mayRead = roleAtLeast(caller.role, 'viewer');
  return required.hidden && !mayRead ? 404 : 403;
}

describe.each(databases.eachSupportedId())('action authorization on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startActionsBackend>>;
  const inputs: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    await assignEachRole(knex);
    const queued = await seedPreview(knex, {
      entityRef: STOREFRONT,
      prNumber: 1,
      state: 'queued',
    });
    const destroyed = await seedPreview(knex, {
      entityRef: STOREFRONT,
      prNumber: 2,
      state: 'destroyed',
    });
    const entity = { entityRef: STOREFRONT };
    Object.assign(inputs, {
      'list-previews': entity,
      'get-preview': { previewId: queued },
      'redeploy-preview': { previewId: queued },
      'destroy-preview': { previewId: destroyed },
      'get-health': entity,
      'get-deploy-analytics': entity,
      'list-env-var-names': entity,
      'list-deliveries': {},
    });
    server = await startActionsBackend({
      knex,
      opshub: {
        rbac: {
          servicePrincipals: OPSHUB_ROLES.map(role => ({
            subject: `external:svc-${role}`,
            role,
          })),
        },
        queue: { concurrency: 0 },
      },
    });
  });

  it('has an expectation for every action', () => {
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  it.each(Object.keys(REQUIRED))(
    'answers %s to users and service principals by their role',
    async name => {
      const answers = [];
      const expected = [];
      for (const caller of CALLERS) {
        const res = await invokeAction(
          server,
          name,
          inputs[name],
          caller.headers,
        );
        answers.push({
          caller: caller.name,
          status: res.status,
          error: res.body.error?.name,
        });
        const status = expectedStatus(name, caller);
        expected.push({
          caller: caller.name,
          status,
          error: {
            200: undefined,
            403: 'NotAllowedError',
            404: 'NotFoundError',
            409: 'ConflictError',
          }[status],
        });
      }
      expect(answers).toEqual(expected);
    },
  );

  it('refuses anonymous callers before any action runs', async () => {
    const res = await invokeAction(
      server,
      'list-previews',
      { entityRef: STOREFRONT },
      {},
    );
    expect(res.status).toBe(401);
  });
});
