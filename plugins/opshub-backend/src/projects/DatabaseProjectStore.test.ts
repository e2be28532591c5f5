import { migrateDownAll, migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseProjectStore } from './DatabaseProjectStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('DatabaseProjectStore on %s', id => {
  async function createStore() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return { knex, store: new DatabaseProjectStore(knex) };
  }

  it('migrates up, writes, reads and migrates down', async () => {
    const { knex, store } = await createStore();

    await expect(
      store.replaceAll([
        {
          entityRef: 'component:default/storefront',
          repoSlug: 'Acme/Storefront',
          previewProvider: 'vercel',
        },
        { entityRef: 'component:default/docs', repoSlug: 'acme/storefront' },
        { entityRef: 'component:default/api', repoSlug: 'acme/api' },
      ]),
    ).resolves.toEqual({
      added: 3,
      updated: 0,
      removed: 0,
      newlyTracked: [
        {
          entityRef: 'component:default/storefront',
          repoSlug: 'acme/storefront',
        },
        { entityRef: 'component:default/docs', repoSlug: 'acme/storefront' },
        { entityRef: 'component:default/api', repoSlug: 'acme/api' },
      ],
    });

    const storefront = await store.getProject('component:default/storefront');
    expect(storefront).toEqual({
      entityRef: 'component:default/storefront',
      repoSlug: 'acme/storefront',
      previewProvider: 'vercel',
      trackedSince: expect.any(Date),
    });
    expect(Date.now() - storefront!.trackedSince.getTime()).toBeLessThan(
      60_000,
    );
    expect(
      (await store.findByRepoSlug('ACME/storefront')).map(p => p.entityRef),
    ).toEqual(['component:default/docs', 'component:default/storefront']);
    await expect(store.getProject('component:default/nope')).resolves.toBe(
      undefined,
    );

    await migrateDownAll(knex);
    expect(await knex.schema.hasTable('projects')).toBe(false);
  });

  it('replaces the tracked set and keeps when a project was first tracked', async () => {
    const { store } = await createStore();
    await store.replaceAll([
      { entityRef: 'component:default/a', repoSlug: 'acme/a' },
      { entityRef: 'component:default/b', repoSlug: 'acme/b' },
    ]);
    const firstSeen = (await store.getProject('component:default/a'))!
      .trackedSince;

    await expect(
      store.replaceAll([
        {
          entityRef: 'component:default/a',
          repoSlug: 'acme/a-renamed',
          previewProvider: 'mock',
        },
        { entityRef: 'component:default/c', repoSlug: 'acme/c' },
      ]),
    ).resolves.toEqual({
      added: 1,
      updated: 1,
      removed: 1,
      // A project whose repository changed starts naming the new one.
      newlyTracked: [
        { entityRef: 'component:default/a', repoSlug: 'acme/a-renamed' },
        { entityRef: 'component:default/c', repoSlug: 'acme/c' },
      ],
    });

    await expect(store.getProject('component:default/a')).resolves.toEqual({
      entityRef: 'component:default/a',
      repoSlug: 'acme/a-renamed',
      previewProvider: 'mock',
      trackedSince: firstSeen,
    });
    await expect(store.getProject('component:default/b')).resolves.toBe(
      undefined,
    );
    // Nothing changed: nothing is written.
    await expect(
      store.replaceAll([
        {
          entityRef: 'component:default/a',
          repoSlug: 'acme/a-renamed',
          previewProvider: 'mock',
        },
        { entityRef: 'component:default/c', repoSlug: 'acme/c' },
      ]),
    ).resolves.toEqual({ added: 0, updated: 0, removed: 0, newlyTracked: [] });
  });

  it('upserts projects without touching the others', async () => {
    const { store } = await createStore();
    await store.replaceAll([
      { entityRef: 'component:default/a', repoSlug: 'acme/a' },
      { entityRef: 'component:default/b', repoSlug: 'acme/b' },
    ]);
    const firstSeen = (await store.getProject('component:default/a'))!
      .trackedSince;

    await expect(
      store.upsert([
        {
          entityRef: 'component:default/a',
          repoSlug: 'acme/a',
          previewProvider: 'mock',
        },
        { entityRef: 'component:default/c', repoSlug: 'Acme/C' },
      ]),
    ).resolves.toEqual({
      added: 1,
      updated: 1,
      removed: 0,
      // `a` only changed its provider: it named acme/a before.
      newlyTracked: [{ entityRef: 'component:default/c', repoSlug: 'acme/c' }],
    });
    expect(
      (await store.list({ limit: 10 })).map(p => [p.entityRef, p.repoSlug]),
    ).toEqual([
      ['component:default/a', 'acme/a'],
      ['component:default/b', 'acme/b'],
      ['component:default/c', 'acme/c'],
    ]);
    await expect(store.getProject('component:default/a')).resolves.toEqual({
      entityRef: 'component:default/a',
      repoSlug: 'acme/a',
      previewProvider: 'mock',
      trackedSince: firstSeen,
    });

    // Again: nothing changed, nothing is written or newly tracked.
    await expect(
      store.upsert([{ entityRef: 'component:default/c', repoSlug: 'acme/c' }]),
    ).resolves.toEqual({ added: 0, updated: 0, removed: 0, newlyTracked: [] });
    await expect(store.upsert([])).resolves.toEqual({
      added: 0,
      updated: 0,
      removed: 0,
      newlyTracked: [],
    });
  });

  it('handles more projects than one statement may bind', async () => {
    const { store } = await createStore();
    const many = Array.from({ length: 1000 }, (_, i) => ({
      entityRef: `component:default/service-${i}`,
      repoSlug: `acme/service-${i}`,
    }));
    await expect(store.replaceAll(many)).resolves.toMatchObject({
      added: 1000,
      updated: 0,
      removed: 0,
    });
    await expect(store.replaceAll(many.slice(0, 10))).resolves.toEqual({
      added: 0,
      updated: 0,
      removed: 990,
      newlyTracked: [],
    });
    expect(await store.findByRepoSlug('acme/service-999')).toEqual([]);
    const upserted = await store.upsert(many);
    expect(upserted).toMatchObject({ added: 990, updated: 0, removed: 0 });
    expect(upserted.newlyTracked).toHaveLength(990);
  });
});
