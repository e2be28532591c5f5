import {
  DEPLOY_ENVIRONMENT_CLASSES,
  DEPLOY_ERROR_CLASSES,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { valuesPlaceholders } from '../../database/valuesPlaceholders';
import {
  type DeployEventSql,
  deployEventSql,
  errorClassOf,
  nearestRankValue,
  PERCENTILES,
  rankedDurations,
  rankOver,
} from './deployEventSql';
import { DAY_MS, dayStartMs } from './deployWindow';
import {
  errorClassesJson,
  PERCENTILE_COLUMNS,
  STAT_COLUMNS,
  STATS_KEY,
} from './dailyStatsColumns';
import { rebuildPostgresDailyStats } from './postgresDailyStats';

/** One entity's UTC day. */
export interface EntityDay {
  entityRef: string;
  /** `YYYY-MM-DD`. */
  day: string;
}

/** daily_deploy_stats' classes, as rows `environment_class`. */
const STATS_CLASSES = ['all', ...DEPLOY_ENVIRONMENT_CLASSES]
  .map(c => `SELECT '${c}' AS environment_class`)
  .join(' UNION ALL ');

/** (entity, day) pairs per statement: 4 bindings each. */
export const DAYS_PER_STATEMENT = 500;

/**
 * The portable daily_deploy_stats upsert: the events of `source` (rows `e` with
 * their `day`) counted and ranked per entity, class (each event in its own
 * class and in `all`) and day.
 */
function upsertStatement(
  sql: DeployEventSql,
  source: { prefix: string; from: string; day: string },
): string {
  const { totalMs, buildMs } = rankedDurations(sql, 'e');
  const partition = STATS_KEY;
  const count = (condition: string) =>
    `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
  return `${source.prefix}
    events AS (
      SELECT e.entity_ref, ${source.day} AS day, e.environment_class,
        e.outcome, ${errorClassOf('e')} AS error_class,
        ${totalMs} AS total_ms, ${buildMs} AS build_ms
      ${source.from}
    ),
    classed AS (
      SELECT * FROM events
      UNION ALL
      SELECT entity_ref, day, 'all', outcome, error_class, total_ms, build_ms
      FROM events
    ),
    ranked AS (
      SELECT c.*,
        ${rankOver('total_ms', 'total', partition)},
        ${rankOver('build_ms', 'build', partition)}
      FROM classed c
    ),
    counted AS (
      SELECT ${partition},
        COUNT(*) AS total,
        ${count(`outcome = 'succeeded'`)} AS succeeded,
        ${count(`outcome = 'failed'`)} AS failed,
        ${count(`outcome = 'cancelled'`)} AS cancelled,
        ${count(`outcome = 'superseded'`)} AS superseded,
        ${PERCENTILES.map(
          p => `${nearestRankValue(p, 'total_ms', 'total')} AS total_p${p}_ms`,
        ).join(', ')},
        ${PERCENTILES.map(
          p => `${nearestRankValue(p, 'build_ms', 'build')} AS build_p${p}_ms`,
        ).join(', ')},
        ${DEPLOY_ERROR_CLASSES.map(
          (c, i) => `${count(`error_class = '${c}'`)} AS ec_${i}`,
        ).join(', ')}
      FROM ranked
      GROUP BY ${partition}
    )
    INSERT INTO daily_deploy_stats (${partition}, ${STAT_COLUMNS.join(', ')})
    SELECT ${partition}, total, succeeded, failed, cancelled, superseded,
      ${PERCENTILE_COLUMNS}, ${errorClassesJson()}, ${sql.timestampParam}
    FROM counted
    WHERE true
    ON CONFLICT (${partition}) DO UPDATE SET
      ${STAT_COLUMNS.map(c => `${c} = excluded.${c}`).join(',\n      ')}`;
}

/** `WITH days (entity_ref, day, day_start, day_end) AS (VALUES …),` */
function daysPrefix(sql: DeployEventSql, days: EntityDay[]) {
  const ts = sql.timestampParam;
  return {
    text: `WITH days (entity_ref, day, day_start, day_end) AS (VALUES ${valuesPlaceholders(
      days.length,
      `(?, ?, ${ts}, ${ts})`,
    )}),`,
    bindings: days.flatMap(({ entityRef, day }) => {
      const start = dayStartMs(day);
      return [entityRef, day, new Date(start), new Date(start + DAY_MS)];
    }),
  };
}

const IN_DAY = `e.entity_ref = d.entity_ref
       AND e.queued_at >= d.day_start AND e.queued_at < d.day_end`;

/** The events of the listed days, through (entity_ref, queued_at). */
const EVENTS_OF_DAYS = `FROM days d JOIN deploy_events e ON ${IN_DAY}`;

/**
 * PostgreSQL cannot estimate a join on a range of each listed day: it
 * would hash (or merge) whole tables instead of reading each day's events
 * through the index. A few days' statements: compiling them (JIT) costs
 * more than it saves.
 */
const LISTED_DAYS_SETTINGS = [
  'SET LOCAL enable_hashjoin = off',
  'SET LOCAL enable_mergejoin = off',
  'SET LOCAL jit = off',
];

async function aggregateListedDays(
  knex: Knex,
  sql: DeployEventSql,
  days: EntityDay[],
  computedAt: Date,
): Promise<void> {
  const prefix = daysPrefix(sql, days);
  await knex.transaction(async trx => {
    if (sql.isPostgres) {
      for (const setting of LISTED_DAYS_SETTINGS) await trx.raw(setting);
    }
    await trx.raw(
      upsertStatement(sql, {
        prefix: prefix.text,
        from: EVENTS_OF_DAYS,
        day: 'd.day',
      }),
      [...prefix.bindings, computedAt],
    );
    // A listed day's class without an event anymore has no row.
    await trx.raw(
      `${prefix.text.slice(0, -1)}
       DELETE FROM daily_deploy_stats
       WHERE (entity_ref, environment_class, day) IN (
         SELECT d.entity_ref, c.environment_class, d.day
         FROM days d CROSS JOIN (${STATS_CLASSES}) c
         WHERE NOT EXISTS (
           SELECT 1 FROM deploy_events e
           WHERE ${IN_DAY}
             AND (c.environment_class = 'all'
                  OR e.environment_class = c.environment_class)))`,
      prefix.bindings,
    );
  });
}

const uniqueDays = (days: EntityDay[]): EntityDay[] => {
  const seen = new Map<string, EntityDay>();
  for (const d of days) {
    dayStartMs(d.day);
    seen.set(JSON.stringify([d.entityRef, d.day]), d);
  }
  return [...seen.values()];
};

/**
 * Computes the daily_deploy_stats rows of `days` (each entity's UTC day;
 * `all`: every day with events) from the raw events, for the environment
 * classes all, production and preview: deploys by outcome (running ones in
 * `total` alone), the nearest-rank P50/P95/P99 of total and build time of
 * the day's succeeded deploys, failures by class. Rows are upserted, one
 * statement per DAYS_PER_STATEMENT days; a listed day (or class) without
 * events anymore loses its row. Idempotent: the same events give the same
 * rows (but `computed_at`). PostgreSQL rebuilds `all` with one grouped
 * statement of the same rows (postgresDailyStats).
 */
export async function aggregateDays(
  knex: Knex,
  options: { days: EntityDay[] | 'all'; nowMs?: number },
): Promise<{ days: number | 'all' }> {
  const sql = deployEventSql(knex);
  const computedAt = new Date(options.nowMs ?? Date.now());
  if (options.days === 'all') {
    if (sql.isPostgres) {
      await rebuildPostgresDailyStats(knex, sql, computedAt);
    } else {
      await knex.transaction(async trx => {
        await trx('daily_deploy_stats').delete();
        await trx.raw(
          upsertStatement(sql, {
            prefix: 'WITH',
            from: 'FROM deploy_events e',
            day: sql.utcDay('e.queued_at'),
          }),
          [computedAt],
        );
      });
    }
    return { days: 'all' };
  }
  const days = uniqueDays(options.days);
  for (let i = 0; i < days.length; i += DAYS_PER_STATEMENT) {
    await aggregateListedDays(
      knex,
      sql,
      days.slice(i, i + DAYS_PER_STATEMENT),
      computedAt,
    );
  }
  return { days: days.length };
}
