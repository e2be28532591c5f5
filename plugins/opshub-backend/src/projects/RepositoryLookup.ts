import { splitActing } from './bindings';
import type { ProjectStore } from './ProjectStore';
import { shortLivedCache } from './shortLivedCache';

/** Which projects name a repository, as a delivery needs to know. */
export interface RepositoryProjects {
  /** The entity refs of the projects that act: those verified. */
  acting: string[];
  /** The entity refs of those whose binding is not verified. */
  unverified: string[];
}

/**
 * Which entities name a GitHub repository, and which of them act (their
 * binding is verified): asked by every pull_request delivery, so answers
 * are kept for a short while. One query per repository (approvals joined,
 * the binding policy applied by the store). A repository asked again after
 * half of `ttlMs` is looked up again in the background, so a steady stream
 * of deliveries never waits for the query. A project sync that changed the
 * projects clears the cache on the instance that ran it, and so do
 * approvals; other instances see changes within `ttlMs`.
 */
export class RepositoryLookup {
  private readonly cache;

  constructor(projects: ProjectStore, ttlMs = 10_000, maxEntries = 10_000) {
    this.cache = shortLivedCache(
      async (repoSlug: string): Promise<RepositoryProjects> => {
        const { acting, unverified } = splitActing(
          await projects.findByRepoSlug(repoSlug),
        );
        return {
          acting: acting.map(p => p.entityRef),
          unverified: unverified.map(p => p.entityRef),
        };
      },
      { ttlMs, maxEntries, refreshAfterMs: ttlMs / 2 },
    );
  }

  projectsFor(repoSlug: string): Promise<RepositoryProjects> {
    return this.cache.get(repoSlug.toLowerCase());
  }

  /** The entity refs of the projects that act on the repository's events. */
  async entityRefsFor(repoSlug: string): Promise<string[]> {
    return (await this.projectsFor(repoSlug)).acting;
  }

  clear(): void {
    this.cache.clear();
  }
}
