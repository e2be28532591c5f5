import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import { aggregateDays, type EntityDay } from './aggregateDays';
import { deployEventSql } from './deployEventSql';

/** deploy_stats_runs' row of the daily stats. */
export const DAILY_STATS_RUN = 'daily-deploy-stats';
/**
 * Every run reads events changed this long before the last run's start
 * again: a write that committed late, or on an instance whose clock is
 * behind, is still seen.
 */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;

export interface DailyStatsRun {
  /** Entity days recomputed; `all` on the first run (no watermark yet). */
  days: number | 'all';
  /** The new watermark (epoch ms). */
  readUntilMs: number;
}

async function readUntil(knex: Knex): Promise<number | undefined> {
  const row = await knex('deploy_stats_runs')
    .where({ id: DAILY_STATS_RUN })
    .first('read_until');
  return row ? toDate(row.read_until).getTime() : undefined;
}

/** Moves the watermark to `nowMs`, never back (runs may overlap). */
async function advance(knex: Knex, nowMs: number): Promise<void> {
  await knex.raw(
    `INSERT INTO deploy_stats_runs (id, read_until) VALUES (?, ?)
     ON CONFLICT (id) DO UPDATE SET read_until = CASE
       WHEN excluded.read_until > deploy_stats_runs.read_until
       THEN excluded.read_until ELSE deploy_stats_runs.read_until END`,
    [DAILY_STATS_RUN, new Date(nowMs)],
  );
}

/** The days of the events written after `sinceMs`, through updated_at. */
async function changedDays(knex: Knex, sinceMs: number): Promise<EntityDay[]> {
  const sql = deployEventSql(knex);
  const rows: { entity_ref: string; day: string }[] = await knex(
    'deploy_events',
  )
    .distinct('entity_ref', knex.raw(`${sql.utcDay('queued_at')} AS day`))
    .where('updated_at', '>', new Date(sinceMs));
  return rows.map(row => ({ entityRef: row.entity_ref, day: row.day }));
}

/**
 * Recomputes the daily stats of the days whose events were written
 * (inserted or updated: every write sets updated_at) since the last run,
 * less WATERMARK_OVERLAP_MS, and moves the watermark to `nowMs`. The first
 * run computes every day.
 */
export async function updateDailyDeployStats(
  knex: Knex,
  options: { nowMs: number },
): Promise<DailyStatsRun> {
  const { nowMs } = options;
  const last = await readUntil(knex);
  const { days } =
    last === undefined
      ? await aggregateDays(knex, { days: 'all', nowMs })
      : await aggregateDays(knex, {
          days: await changedDays(knex, last - WATERMARK_OVERLAP_MS),
          nowMs,
        });
  await advance(knex, nowMs);
  return { days, readUntilMs: (await readUntil(knex))! };
}

/**
 * Recomputes every day from the raw events (and moves the watermark to
 * `nowMs`): for repairs, and what the bench measures.
 */
export async function rebuildDailyDeployStats(
  knex: Knex,
  options: { nowMs?: number } = {},
): Promise<void> {
  const nowMs = options.nowMs ?? Date.now();
  await aggregateDays(knex, { days: 'all', nowMs });
  await advance(knex, nowMs);
}
