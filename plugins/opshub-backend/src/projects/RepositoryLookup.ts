import type { ProjectStore } from './ProjectStore';

/**
 * Which entities name a GitHub repository: asked by every pull_request
 * delivery, so answers are kept for a short while. The project sync clears
 * the cache on the instance that ran it; other instances see changes within
 * `ttlMs`.
 */
export class RepositoryLookup {
  private readonly cache = new Map<string, { refs: string[]; until: number }>();

  constructor(
    private readonly projects: ProjectStore,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async entityRefsFor(repoSlug: string): Promise<string[]> {
    const key = repoSlug.toLowerCase();
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.refs;
    const refs = (await this.projects.findByRepoSlug(key)).map(
      p => p.entityRef,
    );
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(key, { refs, until: now + this.ttlMs });
    return refs;
  }

  clear(): void {
    this.cache.clear();
  }
}
