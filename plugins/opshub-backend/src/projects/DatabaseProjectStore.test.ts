import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { migrateDownAll, migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseBindingApprovals } from './DatabaseBindingApprovals';
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
    expect(await knex.schema.hasTable('binding_approvals')).toBe(false);
  });

  it('migrates the binding columns and approvals up and down, keeping the projects', async () => {
    const { knex, store } = await createStore();
    await store.replaceAll([
      {
        entityRef: 'component:default/web',
        repoSlug: 'acme/web',
        location: 'url:https://github.com/acme/web/blob/main/catalog-info.yaml',
        verifiedBy: 'location',
      },
    ]);
    await new DatabaseBindingApprovals(knex).approve(
      'component:default/web',
      'acme/web',
      'user:default/root',
    );
    // Undo this migration alone (later ones do not touch these tables).
    await knex.migrate.down({
      directory: resolvePackagePath(
        '@opshub/plugin-opshub-backend',
        'migrations',
      ),
      name: '20261201030000_binding_approvals.js',
    });
    expect(await knex.schema.hasTable('binding_approvals')).toBe(false);
    expect(await knex.schema.hasColumn('projects', 'verified_by')).toBe(false);
    expect(await knex.schema.hasColumn('projects', 'location')).toBe(false);
    expect(await knex('projects').select('entity_ref', 'repo_slug')).toEqual([
      { entity_ref: 'component:default/web', repo_slug: 'acme/web' },
    ]);
    await migrateUp(knex);
    await expect(store.getProject('component:default/web')).resolves.toEqual(
      expect.objectContaining({ repoSlug: 'acme/web', verifiedBy: undefined }),
    );
  });

  it('stores what the catalog read proved and joins the approvals when it reads', async () => {
    const { knex, store } = await createStore();
    const approvals = new DatabaseBindingApprovals(knex);
    const location =
      'url:https://github.com/acme/web/blob/main/catalog-info.yaml';
    await expect(
      store.replaceAll([
        {
          entityRef: 'component:default/web',
          repoSlug: 'acme/web',
          location,
          verifiedBy: 'location',
        },
        {
          entityRef: 'component:default/docs',
          repoSlug: 'acme/web',
          location: 'file:/srv/catalog/docs.yaml',
        },
        { entityRef: 'component:default/api', repoSlug: 'acme/api' },
      ]),
    ).resolves.toMatchObject({ added: 3 });

    const byRef = async () =>
      Object.fromEntries(
        (await store.list({ limit: 10 })).map(p => [p.entityRef, p.verifiedBy]),
      );
    expect(await byRef()).toEqual({
      'component:default/api': undefined,
      'component:default/docs': undefined,
      'component:default/web': 'location',
    });
    await expect(store.getProject('component:default/web')).resolves.toEqual({
      entityRef: 'component:default/web',
      repoSlug: 'acme/web',
      trackedSince: expect.any(Date),
      location,
      verifiedBy: 'location',
    });

    // An approval of the repository the entity names counts; one of
    // another repository does not, but is still told.
    await approvals.approve(
      'component:default/docs',
      'Acme/Web',
      'user:default/root',
    );
    await approvals.approve(
      'component:default/api',
      'acme/old',
      'user:default/root',
    );
    expect(await byRef()).toEqual({
      'component:default/api': undefined,
      'component:default/docs': 'approval',
      'component:default/web': 'location',
    });
    const api = await store.getProject('component:default/api');
    expect(api).toMatchObject({
      verifiedBy: undefined,
      approval: {
        repoSlug: 'acme/old',
        approvedBy: 'user:default/root',
        approvedAt: expect.any(Date),
      },
    });
    expect(
      (await store.findByRepoSlug('ACME/WEB')).map(p => [
        p.entityRef,
        p.verifiedBy,
      ]),
    ).toEqual([
      ['component:default/docs', 'approval'],
      ['component:default/web', 'location'],
    ]);
    await approvals.revoke('component:default/docs');
    await expect(store.getProject('component:default/docs')).resolves.toEqual(
      expect.objectContaining({ verifiedBy: undefined, approval: undefined }),
    );

    // The access filter of list routes still names the projects table.
    expect(
      (
        await store.list({
          limit: 10,
          where: q => q.where('projects.entity_ref', 'component:default/api'),
        })
      ).map(p => p.entityRef),
    ).toEqual(['component:default/api']);
  });

  it('reports a binding the catalog read newly proves as newly tracked, and rewrites a changed location', async () => {
    const { store } = await createStore();
    const unproven = {
      entityRef: 'component:default/web',
      repoSlug: 'acme/web',
      location: 'file:/srv/catalog/web.yaml',
    };
    await store.replaceAll([unproven]);
    const proven = {
      ...unproven,
      location: 'url:https://github.com/acme/web/blob/main/catalog-info.yaml',
      verifiedBy: 'location' as const,
    };
    await expect(store.replaceAll([proven])).resolves.toEqual({
      added: 0,
      updated: 1,
      removed: 0,
      newlyTracked: [
        { entityRef: 'component:default/web', repoSlug: 'acme/web' },
      ],
    });
    await expect(store.getProject('component:default/web')).resolves.toEqual(
      expect.objectContaining({
        location: proven.location,
        verifiedBy: 'location',
      }),
    );
    // Losing the proof changes the row, but starts nothing.
    await expect(store.replaceAll([unproven])).resolves.toEqual({
      added: 0,
      updated: 1,
      removed: 0,
      newlyTracked: [],
    });
    await expect(store.getProject('component:default/web')).resolves.toEqual(
      expect.objectContaining({ verifiedBy: undefined }),
    );
  });

  it('believes a sole claim when verification is not required, never a shared unverified one', async () => {
    const { knex, store } = await createStore();
    const lax = new DatabaseProjectStore(knex, {
      requireVerifiedBinding: false,
    });
    await store.replaceAll([
      { entityRef: 'component:default/alone', repoSlug: 'acme/alone' },
      {
        entityRef: 'component:default/web',
        repoSlug: 'acme/web',
        verifiedBy: 'location',
      },
      { entityRef: 'component:default/intruder', repoSlug: 'acme/web' },
      { entityRef: 'component:default/x', repoSlug: 'acme/shared' },
      { entityRef: 'component:default/y', repoSlug: 'acme/shared' },
    ]);
    const verification = async (s: DatabaseProjectStore) =>
      Object.fromEntries(
        (await s.list({ limit: 10 })).map(p => [p.entityRef, p.verifiedBy]),
      );
    expect(await verification(lax)).toEqual({
      'component:default/alone': 'not-required',
      'component:default/intruder': undefined,
      'component:default/web': 'location',
      'component:default/x': undefined,
      'component:default/y': undefined,
    });
    expect(await verification(store)).toEqual({
      'component:default/alone': undefined,
      'component:default/intruder': undefined,
      'component:default/web': 'location',
      'component:default/x': undefined,
      'component:default/y': undefined,
    });
    await expect(lax.getProject('component:default/alone')).resolves.toEqual(
      expect.objectContaining({ verifiedBy: 'not-required' }),
    );
    await expect(lax.getProject('component:default/x')).resolves.toEqual(
      expect.objectContaining({ verifiedBy: undefined }),
    );
    expect(
      (await lax.findByRepoSlug('acme/web')).map(p => [
        p.entityRef,
        p.verifiedBy,
      ]),
    ).toEqual([
      ['component:default/intruder', undefined],
      ['component:default/web', 'location'],
    ]);
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
