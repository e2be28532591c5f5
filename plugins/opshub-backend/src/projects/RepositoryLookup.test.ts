import type { ProjectStore, TrackedProject } from './ProjectStore';
import { RepositoryLookup } from './RepositoryLookup';

describe('RepositoryLookup', () => {
  function storeWith(refs: string[], verified = true) {
    const findByRepoSlug = jest.fn(
      async (slug: string): Promise<TrackedProject[]> =>
        refs.map(entityRef => ({
          entityRef,
          repoSlug: slug,
          trackedSince: new Date(),
          verifiedBy: verified ? 'location' : undefined,
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

  it('tells the projects that act from those whose binding is not verified', async () => {
    const verified = storeWith(['component:default/a', 'component:default/b']);
    await expect(
      new RepositoryLookup(verified.store).projectsFor('acme/web'),
    ).resolves.toEqual({
      acting: ['component:default/a', 'component:default/b'],
      unverified: [],
    });

    const unverified = storeWith(['component:default/c'], false);
    const lookup = new RepositoryLookup(unverified.store);
    await expect(lookup.projectsFor('acme/web')).resolves.toEqual({
      acting: [],
      unverified: ['component:default/c'],
    });
    await expect(lookup.entityRefsFor('acme/web')).resolves.toEqual([]);
  });
});
