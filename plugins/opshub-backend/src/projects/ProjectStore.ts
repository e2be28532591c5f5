import type { Knex } from 'knex';

/** A catalog entity that names a GitHub repository, as OpsHub tracks it. */
export interface TrackedProject {
  entityRef: string;
  /** `owner/repo`, lower case: GitHub compares names case-insensitively. */
  repoSlug: string;
  previewProvider?: string;
  /** The entity's catalog owner as a full, lower-case ref. */
  ownerRef?: string;
  trackedSince: Date;
}

export type ProjectInput = Omit<TrackedProject, 'trackedSince'>;

export interface ProjectSyncResult {
  added: number;
  updated: number;
  removed: number;
  /**
   * The projects added, or whose repository changed (its slug in lower
   * case): deliveries of these repositories recorded `unmatched` may match
   * now.
   */
  newlyTracked: Array<Pick<TrackedProject, 'entityRef' | 'repoSlug'>>;
}

/** Persistence of the projects OpsHub tracks. */
export interface ProjectStore {
  /**
   * Makes the tracked set exactly `projects`, in one transaction: new ones are
   * added, known ones updated (keeping `trackedSince`), the rest removed.
   */
  replaceAll(projects: ProjectInput[]): Promise<ProjectSyncResult>;
  /**
   * Adds or updates `projects` (keeping `trackedSince`), in one transaction,
   * and leaves every other project alone (`removed` is always 0).
   */
  upsert(projects: ProjectInput[]): Promise<ProjectSyncResult>;
  getProject(entityRef: string): Promise<TrackedProject | undefined>;
  findByRepoSlug(repoSlug: string): Promise<TrackedProject[]>;
  /**
   * Projects by entity ref, at most `limit` after `after`; `where` narrows
   * them (the access filter of the caller's permission decision).
   */
  list(options: {
    limit: number;
    after?: string;
    where?: (query: Knex.QueryBuilder) => void;
  }): Promise<TrackedProject[]>;
}
