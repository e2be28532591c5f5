import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import { previewGroup } from './previewJobGroups';
import type { PreviewEvent } from './previewJobHandlers';
import type { PreviewState } from './PreviewStore';
import { OPSHUB_DEPLOY_ERROR_CODES } from '../analytics/taxonomy/deployErrorTaxonomy';

/** States a job moves a preview out of; without one it stays there. */
export const WATCHED_PREVIEW_STATES: PreviewState[] = [
  'queued',
  'building',
  'destroying',
];

/** Previews one run fails; the next run takes the rest. */
const WATCHDOG_BATCH = 100;

/** A preview the watchdog failed. */
export interface StuckPreview {
  id: string;
  entityRef: string;
  prNumber: number;
  /** The state it was stuck in. */
  was: PreviewState;
}

/**
 * `previewGroup(entity_ref, pr_number)` in SQL (`||` concatenates on
 * PostgreSQL and SQLite), built from the function itself so the two cannot
 * drift apart.
 */
function previewGroupSql(): { sql: string; bindings: string[] } {
  const entity = '\u0000entity\u0000';
  const pr = 918273645;
  const sample = previewGroup(entity, pr);
  const [before, rest] = sample.split(entity);
  const [between, after] = rest.split(String(pr));
  return {
    sql: `? || previews.entity_ref || ? || CAST(previews.pr_number AS TEXT) || ?`,
    bindings: [before, between, after],
  };
}

/** The preview's group still has a job that will run (or runs now). */
function jobOfGroup(knex: Knex) {
  const group = previewGroupSql();
  return knex('jobs')
    .select(knex.raw('1'))
    .whereIn('jobs.state', ['queued', 'running'])
    .where('jobs.exclusion_group', knex.raw(group.sql, group.bindings));
}

/**
 * The preview watchdog (a scheduler task). A preview waits in `queued`,
 * `building` or `destroying` for a job to move it on; when that job is gone
 * (dead on an error no handler turned into a failure, its lease expired on
 * the last attempt, an admin cancelled it, or it was never queued) the
 * preview would wait forever, counted against the entity's `maxLive`.
 *
 * A preview in one of those states, unchanged for `stuckAfterMs`, with no
 * queued or running job in its exclusion group (`previewGroup`), fails with
 * error class `stuck`, and its open deploy event ends failed as `stuck`. The
 * change is guarded: a preview that changed meanwhile, or got a job, is
 * left alone. Each failed preview is then told of once: open pages and
 * GitHub (`notify`), and the team (`announce`, transition `stuck@<time>`).
 */
export async function failStuckPreviews(deps: {
  knex: Knex;
  stuckAfterMs: number;
  notify(preview: { id: string; entityRef: string }): void;
  announce(previewId: string, event: PreviewEvent, transition: string): void;
  now?: Date;
}): Promise<StuckPreview[]> {
  const { knex } = deps;
  const now = deps.now ?? new Date();
  const cutoff = new Date(now.getTime() - deps.stuckAfterMs);
  const stuck = () =>
    knex('previews')
      .whereIn('previews.state', WATCHED_PREVIEW_STATES)
      .where('previews.updated_at', '<', cutoff)
      .whereNotExists(jobOfGroup(knex));
  const candidates: Array<{
    id: string | number;
    entity_ref: string;
    pr_number: number;
    state: PreviewState;
    updated_at: Date | string | number;
  }> = await stuck()
    .select('id', 'entity_ref', 'pr_number', 'state', 'updated_at')
    .orderBy('previews.updated_at')
    .limit(WATCHDOG_BATCH);

  const failed: StuckPreview[] = [];
  for (const candidate of candidates) {
    const id = String(candidate.id);
    const since = toDate(candidate.updated_at);
    const message = `The preview's jobs died: it stayed ${
      candidate.state
    } from ${since.toISOString()} with no job left to move it on, and the watchdog failed it after ${Math.round(
      deps.stuckAfterMs / 60_000,
    )} minutes. Push again or redeploy to build it.`;
    const changed = await knex.transaction(async trx => {
      // The same conditions again, on this row: it may have moved on (or
      // got a job) since it was listed.
      const updated = await stuck()
        .transacting(trx)
        .where({ 'previews.id': id, 'previews.state': candidate.state })
        .update({
          state: 'failed',
          error_class: 'stuck',
          error_message: message,
          updated_at: now,
        });
      if (updated === 0) return false;
      await trx('deploy_events')
        .where({ preview_id: id })
        .whereNull('outcome')
        .update({
          outcome: 'failed',
          error_class: 'stuck',
          error_code: OPSHUB_DEPLOY_ERROR_CODES.stuck,
          finished_at: now,
          updated_at: now,
        });
      return true;
    });
    if (!changed) continue;
    failed.push({
      id,
      entityRef: candidate.entity_ref,
      prNumber: candidate.pr_number,
      was: candidate.state,
    });
  }

  for (const preview of failed) {
    deps.notify(preview);
    deps.announce(preview.id, 'failed', `stuck@${now.toISOString()}`);
  }
  return failed;
}
