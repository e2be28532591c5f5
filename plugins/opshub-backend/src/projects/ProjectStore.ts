import type { OpsHubBindingVerification } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';

/** An org owner's approval of an entity's claim on a repository. */
export interface BindingApproval {
  /** The approved repository, `owner/repo` in lower case. */
  repoSlug: string;
  /** The approver's user entity ref. */
  approvedBy: string;
  approvedAt: Date;
}

/** A catalog entity that names a GitHub repository, as OpsHub tracks it. */
export interface TrackedProject {
  entityRef: string;
  /** `owner/repo`, lower case: GitHub compares names case-insensitively. */
  repoSlug: string;
  previewProvider?: string;
  /** The entity's catalog owner as a full, lower-case ref. */
  ownerRef?: string;
  trackedSince: Date;
  /** The entity's `backstage.io/managed-by-location`, as last read. */
  location?: string;
  /**
   * How OpsHub trusts the entity's claim on `repoSlug` (`opshub.projects.
   * requireVerifiedBinding` and the sharing rule applied, see
   * `./bindings.ts`); undefined: it does not, and the project acts on
   * nothing (no jobs from deliveries, no reconcile, no GitHub write-back).
   */
  verifiedBy?: OpsHubBindingVerification;
  /**
   * The approval recorded for the entity, whichever repository it names
   * (it counts only while that is `repoSlug`).
   */
  approval?: BindingApproval;
}

/**
 * A project as the catalog read makes it: `verifiedBy` is what that read
 * proved on its own (the catalog location, or the config's approved
 * bindings); approvals are joined when the project is read.
 */
export type ProjectInput = Omit<
  TrackedProject,
  'trackedSince' | 'verifiedBy' | 'approval'
> & { verifiedBy?: 'location' | 'config' };

export interface ProjectSyncResult {
  added: number;
  updated: number;
  removed: number;
  /**
   * The projects added, whose repository changed, or whose binding became
   * verified by the catalog read (its slug in lower case): deliveries of
   * these repositories recorded `unmatched` or `unverified` may act now.
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
  /** Every project naming the repository (one query), by entity ref. */
  findByRepoSlug(repoSlug: string): Promise<TrackedProject[]>;
  /**
   * Projects by entity ref, at most `limit` after `after`; `where` narrows
   * them (the access filter of the caller's permission decision, on the
   * `projects` table).
   */
  list(options: {
    limit: number;
    after?: string;
    where?: (query: Knex.QueryBuilder) => void;
  }): Promise<TrackedProject[]>;
}
