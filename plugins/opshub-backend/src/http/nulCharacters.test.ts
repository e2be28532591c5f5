import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend } from '../__testUtils__/rbacBackend';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ROOT = 'user:default/root';

/** Every table's rows, to show a refused request stored nothing. */
async function everyRow(knex: Knex) {
  const tables = ['env_vars', 'env_var_versions', 'health_checks', 'activity'];
  return Promise.all(tables.map(table => knex(table).select()));
}

describe.each(databases.eachSupportedId())('NUL characters on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startRbacBackend>>;

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    await new DatabaseRoleAssignmentStore(knex).add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: ROOT,
      role: 'owner',
      createdBy: 'test',
    });
    server = await startRbacBackend({
      knex,
      opshub: {
        encryption: {
          keys: [{ id: 'k1', secret: randomBytes(32).toString('base64') }],
        },
        queue: { concurrency: 0 },
        health: { previews: { enabled: false } },
      },
    });
  });

  it.each([
    ['a kind', 'GET', '/entities/%00/default/storefront/health'],
    ['a namespace', 'GET', '/entities/component/%00/storefront/analytics'],
    ['a name', 'GET', '/entities/component/default/a%00b/envvars'],
    [
      'a name, with a body',
      'POST',
      '/entities/component/default/store%00front/health/checks/1/maintenance',
    ],
    [
      'an assignment',
      'DELETE',
      '/entities/%00/default/storefront/assignments/1',
    ],
    [
      'a variable',
      'PUT',
      '/entities/component/default/storefront/envvars/development/A%00B',
    ],
  ])(
    'refuses one in %s (%s %s) with 400, storing nothing',
    async (_, method, path) => {
      const before = await everyRow(knex);
      const res = await request(server)
        [method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](
          `/api/opshub${path}`,
        )
        .set(as(ROOT))
        .send(method === 'GET' ? undefined : { value: 'v' });
      expect({ status: res.status, error: res.body.error?.name }).toEqual({
        status: 400,
        error: 'InputError',
      });
      expect(await everyRow(knex)).toEqual(before);
    },
  );

  it('refuses one in a JSON field of a body with 400, storing nothing', async () => {
    const before = await everyRow(knex);
    const res = await request(server)
      .put(
        '/api/opshub/entities/component/default/storefront/envvars/development/SAFE',
      )
      .set(as(ROOT))
      .send({ value: 'v', comment: 'a\u0000b' });
    expect({ status: res.status, message: res.body.error?.message }).toEqual({
      status: 400,
      message: 'Invalid variable: comment: must not contain NUL characters',
    });
    expect(await everyRow(knex)).toEqual(before);
  });
});
