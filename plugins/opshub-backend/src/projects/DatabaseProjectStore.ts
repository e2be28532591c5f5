import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
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
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

// Keeps every statement under SQLite's limit of 999 bound variables.
const BATCH_SIZE = 150;

/** What a write compares to decide whether a project changed. */
type ComparedRow = Pick<
  ProjectRow,
  'entity_ref' | 'repo_slug' | 'preview_provider' | 'owner_ref'
>;
const COMPARED_COLUMNS = [
  'entity_ref',
  'repo_slug',
  'preview_provider',
  'owner_ref',
];

export class DatabaseProjectStore implements ProjectStore {
  constructor(private readonly knex: Knex) {}

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
          row.owner_ref !== (p.ownerRef ?? null)
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
              created_at: now,
              updated_at: now,
            })),
          )
          .onConflict('entity_ref')
          .merge(['repo_slug', 'preview_provider', 'owner_ref', 'updated_at']);
      }

      const updated = changed.filter(p => known.has(p.entityRef)).length;
      return {
        added: changed.length - updated,
        updated,
        removed: stale.length,
        newlyTracked: changed
          .filter(
            p => known.get(p.entityRef)?.repo_slug !== p.repoSlug.toLowerCase(),
          )
          .map(p => ({
            entityRef: p.entityRef,
            repoSlug: p.repoSlug.toLowerCase(),
          })),
      };
    });
  }

  async getProject(entityRef: string): Promise<TrackedProject | undefined> {
    const row = await this.knex<ProjectRow>('projects')
      .where('entity_ref', entityRef)
      .first();
    return row && toProject(row);
  }

  async findByRepoSlug(repoSlug: string): Promise<TrackedProject[]> {
    const rows = await this.knex<ProjectRow>('projects')
      .where('repo_slug', repoSlug.toLowerCase())
      .orderBy('entity_ref');
    return rows.map(toProject);
  }

  async list(options: {
    limit: number;
    after?: string;
    where?: (query: Knex.QueryBuilder) => void;
  }): Promise<TrackedProject[]> {
    const query = this.knex<ProjectRow>('projects')
      .orderBy('entity_ref')
      .limit(options.limit);
    if (options.after) query.where('entity_ref', '>', options.after);
    if (options.where) query.where(options.where);
    return (await query).map(toProject);
  }
}

function toProject(row: ProjectRow): TrackedProject {
  return {
    entityRef: row.entity_ref,
    repoSlug: row.repo_slug,
    previewProvider: row.preview_provider ?? undefined,
    ownerRef: row.owner_ref ?? undefined,
    trackedSince: toDate(row.created_at),
  };
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
