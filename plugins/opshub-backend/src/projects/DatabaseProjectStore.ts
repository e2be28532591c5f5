import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import { bindingVerification } from './bindings';
import type {
  ProjectInput,
  ProjectStore,
  ProjectSyncResult,
  TrackedProject,
} from './ProjectStore';

type ProjectRow = {
  entity_ref: string;
  repo_slug: string;
  preview_provider: string | null;
  owner_ref: string | null;
  location: string | null;
  verified_by: 'location' | 'config' | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
  /** From `binding_approvals`, joined. */
  approved_repo_slug: string | null;
  approved_by: string | null;
  approved_at: Date | string | number | null;
};

// Keeps every statement under SQLite's limit of 999 bound variables.
const BATCH_SIZE = 150;

/** What a write compares to decide whether a project changed. */
type ComparedRow = Pick<
  ProjectRow,
  | 'entity_ref'
  | 'repo_slug'
  | 'preview_provider'
  | 'owner_ref'
  | 'location'
  | 'verified_by'
>;
const COMPARED_COLUMNS = [
  'entity_ref',
  'repo_slug',
  'preview_provider',
  'owner_ref',
  'location',
  'verified_by',
];

/**
 * The `projects` table, read with each entity's approval
 * (`binding_approvals`, joined: one query) and the binding policy applied
 * (`./bindings.ts`): `requireVerifiedBinding` (default true) and the sharing
 * rule.
 */
export class DatabaseProjectStore implements ProjectStore {
  private readonly requireVerifiedBinding: boolean;

  constructor(
    private readonly knex: Knex,
    options: { requireVerifiedBinding?: boolean } = {},
  ) {
    this.requireVerifiedBinding = options.requireVerifiedBinding ?? true;
  }

  async replaceAll(projects: ProjectInput[]): Promise<ProjectSyncResult> {
    return this.write(projects, { removeOthers: true });
  }

  async upsert(projects: ProjectInput[]): Promise<ProjectSyncResult> {
    return this.write(projects, { removeOthers: false });
  }

  private write(
    projects: ProjectInput[],
    options: { removeOthers: boolean },
  ): Promise<ProjectSyncResult> {
    const wanted = new Map(projects.map(p => [p.entityRef, p]));
    return this.knex.transaction(async trx => {
      const existing: ComparedRow[] = options.removeOthers
        ? await trx('projects').select(COMPARED_COLUMNS)
        : await selectByRef(trx, [...wanted.keys()]);
      const known = new Map(existing.map(row => [row.entity_ref, row]));
      const stale = options.removeOthers
        ? existing
            .filter(row => !wanted.has(row.entity_ref))
            .map(row => row.entity_ref)
        : [];
      const changed = [...wanted.values()].filter(p => {
        const row = known.get(p.entityRef);
        return (
          !row ||
          row.repo_slug !== p.repoSlug.toLowerCase() ||
          row.preview_provider !== (p.previewProvider ?? null) ||
          row.owner_ref !== (p.ownerRef ?? null) ||
          row.location !== (p.location ?? null) ||
          row.verified_by !== (p.verifiedBy ?? null)
        );
      });

      for (let i = 0; i < stale.length; i += BATCH_SIZE) {
        await trx('projects')
          .whereIn('entity_ref', stale.slice(i, i + BATCH_SIZE))
          .delete();
      }
      const now = new Date();
      for (let i = 0; i < changed.length; i += BATCH_SIZE) {
        await trx('projects')
          .insert(
            changed.slice(i, i + BATCH_SIZE).map(p => ({
              entity_ref: p.entityRef,
              repo_slug: p.repoSlug.toLowerCase(),
              preview_provider: p.previewProvider ?? null,
              owner_ref: p.ownerRef ?? null,
              location: p.location ?? null,
              verified_by: p.verifiedBy ?? null,
              created_at: now,
              updated_at: now,
            })),
          )
          .onConflict('entity_ref')
          .merge([
            'repo_slug',
            'preview_provider',
            'owner_ref',
            'location',
            'verified_by',
            'updated_at',
          ]);
      }

      const updated = changed.filter(p => known.has(p.entityRef)).length;
      return {
        added: changed.length - updated,
        updated,
        removed: stale.length,
        newlyTracked: changed
          .filter(p => {
            // New, renamed, or verified by this read: its repository's
            // deliveries may act now.
            const row = known.get(p.entityRef);
            return (
              !row ||
              row.repo_slug !== p.repoSlug.toLowerCase() ||
              (!row.verified_by && p.verifiedBy !== undefined)
            );
          })
          .map(p => ({
            entityRef: p.entityRef,
            repoSlug: p.repoSlug.toLowerCase(),
          })),
      };
    });
  }

  async getProject(entityRef: string): Promise<TrackedProject | undefined> {
    const row: ProjectRow | undefined = await this.select()
      .where('projects.entity_ref', entityRef)
      .first();
    return row && (await this.toProjects([row]))[0];
  }

  async findByRepoSlug(repoSlug: string): Promise<TrackedProject[]> {
    const rows: ProjectRow[] = await this.select()
      .where('projects.repo_slug', repoSlug.toLowerCase())
      .orderBy('projects.entity_ref');
    // Every project naming the repository is here: no count to ask for.
    return rows.map(row => this.toProject(row, rows.length));
  }

  async list(options: {
    limit: number;
    after?: string;
    where?: (query: Knex.QueryBuilder) => void;
  }): Promise<TrackedProject[]> {
    const query = this.select()
      .orderBy('projects.entity_ref')
      .limit(options.limit);
    if (options.after) query.where('projects.entity_ref', '>', options.after);
    if (options.where) query.where(options.where);
    return this.toProjects(await query);
  }

  private select(): Knex.QueryBuilder {
    return this.knex('projects')
      .leftJoin(
        'binding_approvals',
        'binding_approvals.entity_ref',
        'projects.entity_ref',
      )
      .select('projects.*', {
        approved_repo_slug: 'binding_approvals.repo_slug',
        approved_by: 'binding_approvals.approved_by',
        approved_at: 'binding_approvals.approved_at',
      });
  }

  /**
   * Projects from rows that need not be all of their repositories': how
   * many projects share a repository is asked only where it decides
   * (verification off, nothing else verifies).
   */
  private async toProjects(rows: ProjectRow[]): Promise<TrackedProject[]> {
    const undecided = this.requireVerifiedBinding
      ? []
      : rows
          .filter(row => !this.toProject(row, 2).verifiedBy)
          .map(row => row.repo_slug);
    const sharing = await this.countByRepoSlug([...new Set(undecided)]);
    return rows.map(row =>
      this.toProject(row, sharing.get(row.repo_slug) ?? 1),
    );
  }

  private async countByRepoSlug(
    repoSlugs: string[],
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let i = 0; i < repoSlugs.length; i += BATCH_SIZE) {
      const rows: Array<{ repo_slug: string; n: number | string }> =
        await this.knex('projects')
          .select('repo_slug')
          .count({ n: '*' })
          .whereIn('repo_slug', repoSlugs.slice(i, i + BATCH_SIZE))
          .groupBy('repo_slug');
      for (const row of rows) counts.set(row.repo_slug, Number(row.n));
    }
    return counts;
  }

  private toProject(row: ProjectRow, sharing: number): TrackedProject {
    const approval =
      row.approved_repo_slug && row.approved_by && row.approved_at !== null
        ? {
            repoSlug: row.approved_repo_slug,
            approvedBy: row.approved_by,
            approvedAt: toDate(row.approved_at),
          }
        : undefined;
    const stored = row.verified_by ?? undefined;
    return {
      entityRef: row.entity_ref,
      repoSlug: row.repo_slug,
      previewProvider: row.preview_provider ?? undefined,
      ownerRef: row.owner_ref ?? undefined,
      trackedSince: toDate(row.created_at),
      location: row.location ?? undefined,
      verifiedBy: bindingVerification(
        { repoSlug: row.repo_slug, verifiedBy: stored, approval },
        { requireVerifiedBinding: this.requireVerifiedBinding, sharing },
      ),
      approval,
    };
  }
}

async function selectByRef(
  trx: Knex.Transaction,
  entityRefs: string[],
): Promise<ComparedRow[]> {
  const rows: ComparedRow[] = [];
  for (let i = 0; i < entityRefs.length; i += BATCH_SIZE) {
    rows.push(
      ...(await trx('projects')
        .select(COMPARED_COLUMNS)
        .whereIn('entity_ref', entityRefs.slice(i, i + BATCH_SIZE))),
    );
  }
  return rows;
}
