import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEnvVarStore } from './DatabaseEnvVarStore';
import type { SealedValue } from './EnvVarCipher';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/storefront';

const sealed = (keyId = 'k1'): SealedValue => ({
  ciphertext: randomBytes(20),
  iv: randomBytes(12),
  tag: randomBytes(16),
  keyId,
});

describe.each(databases.eachSupportedId())('DatabaseEnvVarStore on %s', id => {
  let knex: Knex;
  let store: DatabaseEnvVarStore;
  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    store = new DatabaseEnvVarStore(knex);
  });

  const key = (name: string, branch: string | null = null) => ({
    entityRef: ENTITY,
    environment: branch ? 'preview' : 'production',
    branch,
    name,
  });

  it('writes versions, lists, reads one, deletes and keeps counting', async () => {
    const k = key('DATABASE_URL');
    expect(await store.get(k)).toBeUndefined();
    expect(await store.nextVersion(k)).toBe(1);
    const first = sealed();
    const written = await store.write({
      ...k,
      version: 1,
      sensitive: false,
      sealed: first,
      actor: 'user:default/alice',
      comment: 'first',
    });
    expect(written).toMatchObject({
      ...k,
      version: 1,
      sensitive: false,
      updatedBy: 'user:default/alice',
    });
    expect(written.sealed).toEqual(first);
    expect(written.updatedAt).toBeInstanceOf(Date);

    const second = sealed('k2');
    await store.write({
      ...k,
      version: 2,
      sensitive: true,
      sealed: second,
      actor: 'user:default/bob',
    });
    expect((await store.get(k))!.sealed).toEqual(second);
    expect(await store.nextVersion(k)).toBe(3);

    // Stale version: 409, nothing changes.
    await expect(
      store.write({
        ...k,
        version: 2,
        sensitive: false,
        sealed: sealed(),
        actor: 'user:default/eve',
      }),
    ).rejects.toThrow(/changed meanwhile/);
    expect((await store.get(k))!.version).toBe(2);

    const branchKey = key('DATABASE_URL', 'feature-x');
    await store.write({
      ...branchKey,
      version: 1,
      sensitive: false,
      sealed: sealed(),
      actor: 'user:default/alice',
    });
    expect(
      (await store.list(ENTITY)).map(v => [v.environment, v.branch]),
    ).toEqual([
      ['preview', 'feature-x'],
      ['production', null],
    ]);
    expect(await store.list(ENTITY, 'production')).toHaveLength(1);
    expect(await store.list('component:default/other')).toEqual([]);

    const removed = await store.delete({
      ...k,
      version: 3,
      actor: 'user:default/alice',
      comment: 'gone',
    });
    expect(removed?.version).toBe(2);
    expect(await store.get(k)).toBeUndefined();
    expect(
      await store.delete({ ...k, version: 4, actor: 'user:default/alice' }),
    ).toBeUndefined();
    expect(await store.nextVersion(k)).toBe(4);

    const versions = await store.versions(k);
    expect(
      versions.map(v => [
        v.version,
        v.deleted,
        v.sensitive,
        v.actor,
        v.comment,
      ]),
    ).toEqual([
      [3, true, true, 'user:default/alice', 'gone'],
      [2, false, true, 'user:default/bob', null],
      [1, false, false, 'user:default/alice', 'first'],
    ]);
    expect(versions[0].sealed).toBeUndefined();
    expect((await store.version(k, 1))!.sealed).toEqual(first);
    expect(await store.version(k, 9)).toBeUndefined();

    // A write after the delete continues the count.
    await store.write({
      ...k,
      version: 4,
      sensitive: false,
      sealed: sealed(),
      actor: 'user:default/alice',
    });
    expect((await store.get(k))!.version).toBe(4);
  });

  it('lets exactly one of concurrent writers of a version through', async () => {
    const k = key('RACE');
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        store.write({
          ...k,
          version: 1,
          sensitive: false,
          sealed: sealed(),
          actor: `user:default/u${i}`,
        }),
      ),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    const refusals = results.flatMap(r =>
      r.status === 'rejected' ? [r.reason.name] : [],
    );
    expect(refusals).toEqual(Array(4).fill('ConflictError'));
    expect(await store.versions(k)).toHaveLength(1);
    expect(await knex('env_vars').where({ name: 'RACE' })).toHaveLength(1);
  });
});
