import type { ProjectStore } from './ProjectStore';
import { RepositoryLookup } from './RepositoryLookup';

describe('RepositoryLookup', () => {
  function storeWith(refs: string[]) {
    const findByRepoSlug = jest.fn(async (slug: string) =>
      refs.map(entityRef => ({
        entityRef,
        repoSlug: slug,
        trackedSince: new Date(),
      })),
    );
    return {
      findByRepoSlug,
      store: { findByRepoSlug } as unknown as ProjectStore,
    };
  }

  it('answers from the cache within the TTL, case-insensitively', async () => {
    const { store, findByRepoSlug } = storeWith(['component:default/a']);
    const lookup = new RepositoryLookup(store, 60_000);
    await expect(lookup.entityRefsFor('Acme/Web')).resolves.toEqual([
      'component:default/a',
    ]);
    await expect(lookup.entityRefsFor('acme/web')).resolves.toEqual([
      'component:default/a',
    ]);
    expect(findByRepoSlug).toHaveBeenCalledTimes(1);
    expect(findByRepoSlug).toHaveBeenCalledWith('acme/web');
  });

  it('asks again after the TTL or a clear', async () => {
    const { store, findByRepoSlug } = storeWith([]);
    const lookup = new RepositoryLookup(store, 0);
    await lookup.entityRefsFor('acme/web');
    await lookup.entityRefsFor('acme/web');
    expect(findByRepoSlug).toHaveBeenCalledTimes(2);

    const cached = new RepositoryLookup(store, 60_000);
    await cached.entityRefsFor('acme/web');
    cached.clear();
    await cached.entityRefsFor('acme/web');
    expect(findByRepoSlug).toHaveBeenCalledTimes(4);
  });
});
