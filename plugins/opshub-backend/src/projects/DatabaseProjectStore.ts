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
  created_at: Date | string | number;
  updated_at: Date | string | number;
};

// Keeps every statement under SQLite's limit of 999 bound variables.
const BATCH_SIZE = 150;

export class DatabaseProjectStore implements ProjectStore {
  constructor(private readonly knex: Knex) {}

  async replaceAll(projects: ProjectInput[]): Promise<ProjectSyncResult> {
    const wanted = new Map(projects.map(p => [p.entityRef, p]));
    return this.knex.transaction(async trx => {
      const existing = await trx<ProjectRow>('projects').select(
        'entity_ref',
        'repo_slug',
        'preview_provider',
      );
      const known = new Map(existing.map(row => [row.entity_ref, row]));
      const stale = existing
        .filter(row => !wanted.has(row.entity_ref))
        .map(row => row.entity_ref);
      const changed = [...wanted.values()].filter(p => {
        const row = known.get(p.entityRef);
        return (
          !row ||
          row.repo_slug !== p.repoSlug.toLowerCase() ||
          row.preview_provider !== (p.previewProvider ?? null)
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
              created_at: now,
              updated_at: now,
            })),
          )
          .onConflict('entity_ref')
          .merge(['repo_slug', 'preview_provider', 'updated_at']);
      }

      const updated = changed.filter(p => known.has(p.entityRef)).length;
      return {
        added: changed.length - updated,
        updated,
        removed: stale.length,
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
}

function toProject(row: ProjectRow): TrackedProject {
  return {
    entityRef: row.entity_ref,
    repoSlug: row.repo_slug,
    previewProvider: row.preview_provider ?? undefined,
    trackedSince: toDate(row.created_at),
  };
}
