import { DEPLOY_ERROR_CLASSES } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import {
  type DeployEventSql,
  errorClassOf,
  PERCENTILES,
  rankedDurations,
} from './deployEventSql';
import {
  errorClassesJson,
  PERCENTILE_COLUMNS,
  STAT_COLUMNS,
  STATS_KEY,
} from './dailyStatsColumns';

/**
 * The rebuild sorts a million events per grouping: in memory rather than
 * spilled to disk, for this transaction alone.
 */
const REBUILD_SETTINGS = ["SET LOCAL work_mem = '64MB'"];

/**
 * PostgreSQL's daily_deploy_stats of every day, in one pass over the
 * events: GROUPING SETS give each entity's day once per class and once for
 * `all`, and percentile_disc is the nearest rank (the ⌈p·n/100⌉-th
 * smallest known value, nulls left out) the portable statement computes
 * with ROW_NUMBER. Same rows as the portable statement: the same duration,
 * error class and JSON expressions.
 */
function rebuildStatement(sql: DeployEventSql): string {
  const { totalMs, buildMs } = rankedDurations(sql, 'e');
  const percentiles = (column: string, as: string) =>
    PERCENTILES.map(
      p =>
        `percentile_disc(${
          p / 100
        }) WITHIN GROUP (ORDER BY ${column}) AS ${as}_p${p}_ms`,
    ).join(', ');
  const count = (condition: string) => `COUNT(*) FILTER (WHERE ${condition})`;
  return `WITH events AS (
      SELECT e.entity_ref, ${sql.utcDay('e.queued_at')} AS day,
        e.environment_class, e.outcome, ${errorClassOf('e')} AS error_class,
        ${totalMs} AS total_ms, ${buildMs} AS build_ms
      FROM deploy_events e
    ),
    counted AS (
      SELECT entity_ref, day,
        CASE WHEN GROUPING(environment_class) = 1 THEN 'all'
          ELSE environment_class END AS environment_class,
        COUNT(*) AS total,
        ${count(`outcome = 'succeeded'`)} AS succeeded,
        ${count(`outcome = 'failed'`)} AS failed,
        ${count(`outcome = 'cancelled'`)} AS cancelled,
        ${count(`outcome = 'superseded'`)} AS superseded,
        ${percentiles('total_ms', 'total')},
        ${percentiles('build_ms', 'build')},
        ${DEPLOY_ERROR_CLASSES.map(
          (c, i) => `${count(`error_class = '${c}'`)} AS ec_${i}`,
        ).join(', ')}
      FROM events
      GROUP BY GROUPING SETS (
        (entity_ref, day), (entity_ref, day, environment_class))
    )
    INSERT INTO daily_deploy_stats (${STATS_KEY}, ${STAT_COLUMNS.join(', ')})
    SELECT ${STATS_KEY}, total, succeeded, failed, cancelled, superseded,
      ${PERCENTILE_COLUMNS}, ${errorClassesJson()}, ${sql.timestampParam}
    FROM counted`;
}

/**
 * Replaces daily_deploy_stats with every day's rows, on PostgreSQL: about
 * the cost of one hand-written aggregation, where the portable statement
 * ranks every event twice.
 */
export async function rebuildPostgresDailyStats(
  knex: Knex,
  sql: DeployEventSql,
  computedAt: Date,
): Promise<void> {
  await knex.transaction(async trx => {
    for (const setting of REBUILD_SETTINGS) await trx.raw(setting);
    // TRUNCATE leaves no dead rows to skip and index; it holds readers of
    // the stats until the rebuild commits (seconds).
    await trx.raw('TRUNCATE daily_deploy_stats');
    await trx.raw(rebuildStatement(sql), [computedAt]);
  });
}
