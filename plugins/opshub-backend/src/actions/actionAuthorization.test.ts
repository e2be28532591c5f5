import { OPSHUB_ROLES } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import {
  invokeAction,
  startActionsBackend,
} from '../__testUtils__/actionsBackend';
import { createTestDatabases } from '../__testUtils__/databases';
import { assignEachRole, STOREFRONT } from '../__testUtils__/rbacBackend';
import {
  ACTION_CALLERS,
  ACTION_REQUIREMENTS,
  expectedActionStatus,
  seedActionInputs,
} from './__testUtils__/actionRequirements';

jest.setTimeout(180_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('action authorization on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startActionsBackend>>;
  const inputs: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    await assignEachRole(knex);
    Object.assign(inputs, await seedActionInputs(knex, STOREFRONT));
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
    expect(Object.keys(inputs).sort()).toEqual(
      Object.keys(ACTION_REQUIREMENTS).sort(),
    );
  });

  it.each(Object.keys(ACTION_REQUIREMENTS))(
    'answers %s to users and service principals by their role',
    async name => {
      const answers = [];
      const expected = [];
      for (const caller of ACTION_CALLERS) {
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
        const status = expectedActionStatus(name, caller);
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
