import type { ProjectStore } from './ProjectStore';
import { shortLivedCache } from './shortLivedCache';

/**
 * Which entities name a GitHub repository: asked by every pull_request
 * delivery, so answers are kept for a short while. The project sync clears
 * the cache on the instance that ran it; other instances see changes within
 * `ttlMs`.
 */
export class RepositoryLookup {
  private readonly cache;

  constructor(projects: ProjectStore, ttlMs = 10_000, maxEntries = 10_000) {
    this.cache = shortLivedCache(
      async (repoSlug: string) =>
        (await projects.findByRepoSlug(repoSlug)).map(p => p.entityRef),
      { ttlMs, maxEntries },
    );
  }

  entityRefsFor(repoSlug: string): Promise<string[]> {
    return this.cache.get(repoSlug.toLowerCase());
  }

  clear(): void {
    this.cache.clear();
  }
}
