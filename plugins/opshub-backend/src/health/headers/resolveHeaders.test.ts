import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { DatabaseEnvVarStore } from '../../envvars/DatabaseEnvVarStore';
import type { EnvVarKey } from '../../envvars/EnvVarStore';
import { testCipher } from '../../envvars/testCipher';
import { createTestDatabases } from '../../__testUtils__/databases';
import { createHeaderResolver } from './resolveHeaders';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/storefront';
const TOKEN = 'prod-token-9f8e7d';

describe.each(databases.eachSupportedId())('createHeaderResolver on %s', id => {
  let knex: Knex;
  let envVars: DatabaseEnvVarStore;
  const cipher = testCipher();
  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    envVars = new DatabaseEnvVarStore(knex);
  });
  beforeEach(async () => {
    await knex('env_var_versions').delete();
    await knex('env_vars').delete();
  });

  /** Writes a variable sealed for `sealFor` (default: where it is stored). */
  async function write(
    key: Partial<EnvVarKey> & { name: string },
    value: string,
    sealFor: Partial<EnvVarKey> & { version?: number } = {},
  ) {
    const full: EnvVarKey = {
      entityRef: ENTITY,
      environment: 'production',
      branch: null,
      ...key,
    };
    const version = await envVars.nextVersion(full);
    await envVars.write({
      ...full,
      version,
      sensitive: true,
      sealed: await cipher.seal(value, { ...full, version, ...sealFor }),
      actor: 'user:default/alice',
    });
  }

  it("replaces each ${env:NAME} with the entity's production value, other headers as they are", async () => {
    await write({ name: 'API_TOKEN' }, TOKEN);
    await write({ name: 'TENANT' }, 'shop');
    // Other environments, branch overrides and entities are never read.
    await write({ name: 'API_TOKEN', environment: 'staging' }, 'staging');
    await write(
      { name: 'API_TOKEN', environment: 'production', branch: 'main' },
      'override',
    );
    await write({ name: 'API_TOKEN', entityRef: 'component:default/x' }, 'x');
    const resolve = createHeaderResolver({ envVars, cipher });
    expect(
      await resolve(ENTITY, {
        Authorization: 'Bearer ${env:API_TOKEN}',
        'X-Tenant': '${env:TENANT}-${env:TENANT}',
        'X-Token-Again': '${env:API_TOKEN}',
        Accept: 'application/json',
      }),
    ).toEqual({
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'X-Tenant': 'shop-shop',
        'X-Token-Again': TOKEN,
        Accept: 'application/json',
      },
    });
  });

  it('reads nothing for headers without references', async () => {
    const get = jest.spyOn(envVars, 'get');
    try {
      const resolve = createHeaderResolver({ envVars, cipher });
      expect(await resolve(ENTITY, { Accept: 'text/plain' })).toEqual({
        headers: { Accept: 'text/plain' },
      });
      expect(get).not.toHaveBeenCalled();
    } finally {
      get.mockRestore();
    }
  });

  it('fails naming the header and the variable when it is missing (a staging one does not count)', async () => {
    await write({ name: 'API_TOKEN', environment: 'staging' }, TOKEN);
    const resolve = createHeaderResolver({ envVars, cipher });
    expect(
      await resolve(ENTITY, { Authorization: 'Bearer ${env:API_TOKEN}' }),
    ).toEqual({
      failure: `header Authorization: \${env:API_TOKEN} is not a variable of ${ENTITY} in its production environment`,
    });
  });

  it('fails naming the variable and its key, never the value, when it cannot be decrypted', async () => {
    // Sealed for another variable and copied here: GCM refuses it.
    await write({ name: 'API_TOKEN' }, TOKEN, { name: 'OTHER' });
    const resolve = createHeaderResolver({ envVars, cipher });
    const resolved = await resolve(ENTITY, {
      Authorization: 'Bearer ${env:API_TOKEN}',
    });
    expect(resolved).toEqual({
      failure:
        'header Authorization: ${env:API_TOKEN} (production) could not be decrypted: is the key that sealed it (test) in opshub.encryption.keys?',
    });

    const keyless = createHeaderResolver({
      envVars,
      cipher: testCipher({ configured: false }),
    });
    await write({ name: 'TENANT' }, 'shop');
    expect(await keyless(ENTITY, { 'X-Tenant': '${env:TENANT}' })).toEqual({
      failure: expect.stringContaining('${env:TENANT} (production) could not'),
    });
  });

  it('fails when a value holds a line break, without quoting it', async () => {
    await write({ name: 'API_TOKEN' }, `${TOKEN}\r\nX-Injected: 1`);
    const resolve = createHeaderResolver({ envVars, cipher });
    const resolved = await resolve(ENTITY, {
      Authorization: 'Bearer ${env:API_TOKEN}',
    });
    expect(resolved).toEqual({
      failure:
        'header Authorization: ${env:API_TOKEN} holds a line break or another character a header cannot carry',
    });
  });
});
