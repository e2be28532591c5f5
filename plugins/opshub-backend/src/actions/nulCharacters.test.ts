import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import {
  invokeAction,
  startActionsBackend,
} from '../__testUtils__/actionsBackend';
import { createTestDatabases } from '../__testUtils__/databases';
import { as } from '../__testUtils__/rbacBackend';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ROOT = 'user:default/root';

describe.each(databases.eachSupportedId())(
  'NUL characters in action inputs on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startActionsBackend>>;

    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      server = await startActionsBackend({
        knex,
        opshub: {
          rbac: { orgOwners: [ROOT] },
          queue: { concurrency: 0 },
          health: { previews: { enabled: false } },
        },
      });
    });

    it.each<[string, Record<string, unknown>, string]>([
      [
        'list-deliveries',
        { repository: 'acme/store\u0000front' },
        'repository',
      ],
      ['list-deliveries', { event: 'pull\u0000request' }, 'event'],
    ])('%s refuses %j with 400 naming %s', async (name, input, field) => {
      const res = await invokeAction(server, name, input, as(ROOT));
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 400,
        error: expect.objectContaining({
          name: 'InputError',
          message: expect.stringContaining(
            `${field}: must not contain NUL characters`,
          ),
        }),
      });
    });
  },
);
