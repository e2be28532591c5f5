import { DEPLOY_ERROR_CLASSES } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';

/**
 * The SQL that differs between the databases, for deploy_events' times:
 * PostgreSQL stores them as timestamptz, SQLite as the epoch milliseconds
 * knex writes for a Date. Everything else in the metrics' statements is
 * the same text on both.
 */
export interface DeployEventSql {
  isPostgres: boolean;
  /** A timestamp column as integer epoch milliseconds. */
  epochMs(column: string): string;
  /** A timestamp column's UTC day, `YYYY-MM-DD`. */
  utcDay(column: string): string;
  /** A placeholder for a Date binding where no column gives it a type. */
  timestampParam: string;
}

export function deployEventSql(knex: Knex): DeployEventSql {
  const isPostgres = knex.client.config.client === 'pg';
  return isPostgres
    ? {
        isPostgres,
        epochMs: column =>
          `CAST(EXTRACT(EPOCH FROM ${column}) * 1000 AS BIGINT)`,
        utcDay: column => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
        timestampParam: 'CAST(? AS timestamptz)',
      }
    : {
        isPostgres,
        epochMs: column => column,
        utcDay: column => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`,
        timestampParam: '?',
      };
}

/**
 * The durations the percentiles rank, of a deploy_events row `e`: total
 * (finished − queued) and build (finished − started) time of a succeeded
 * deploy whose times are known; null for every other deploy.
 */
export function rankedDurations(sql: DeployEventSql, e: string) {
  const succeeded = `${e}.outcome = 'succeeded' AND ${e}.finished_at IS NOT NULL`;
  const finished = sql.epochMs(`${e}.finished_at`);
  return {
    totalMs: `CASE WHEN ${succeeded} THEN ${finished} - ${sql.epochMs(
      `${e}.queued_at`,
    )} END`,
    buildMs: `CASE WHEN ${succeeded} AND ${e}.started_at IS NOT NULL THEN ${finished} - ${sql.epochMs(
      `${e}.started_at`,
    )} END`,
  };
}

/** A failed deploy's class; a class the taxonomy does not know is unknown. */
export const errorClassOf = (e: string) =>
  `CASE WHEN ${e}.outcome = 'failed' THEN
     CASE WHEN ${e}.error_class IN (${DEPLOY_ERROR_CLASSES.map(
    c => `'${c}'`,
  ).join(', ')}) THEN ${e}.error_class ELSE 'unknown' END
   END`;

/**
 * Ranks `value` (within `partition`, else all rows) for nearestRankValue: its row number
 * among the partition's rows by value (nulls last, so the n known values
 * are ranks 1..n) and n, the count of known values.
 */
export const rankOver = (value: string, as: string, partition?: string) => {
  const over = partition ? `PARTITION BY ${partition}` : '';
  return `ROW_NUMBER() OVER (${over} ORDER BY ${value} IS NULL, ${value}) AS ${as}_rn,
   COUNT(${value}) OVER (${over}) AS ${as}_n`;
};

/**
 * The nearest-rank percentile `p` of the values ranked by rankOver, as an
 * aggregate: the ⌈p·n/100⌉-th smallest, in integer arithmetic; null
 * without any value.
 */
export const nearestRankValue = (p: number, value: string, as: string) =>
  `MAX(CASE WHEN ${as}_rn = (${p} * ${as}_n + 99) / 100 THEN ${value} END)`;

/** The percentiles the metrics report. */
export const PERCENTILES = [50, 95, 99] as const;

/**
 * PostgreSQL only: nearestRankValue's percentiles of `e`'s total and build
 * time (the intervals rankedDurations measures) as `total_p<p>` and
 * `build_p<p>` columns, in one aggregate pass without ranking every row.
 * percentile_disc(f) takes the ⌈f·n⌉-th value; f is p/100 lowered by
 * 1e-12 so that a binary fraction slightly above p/100 never takes the next
 * one: p·n/100 is either whole or at least 0.01 above a whole number, far
 * more than 1e-12·n. The intervals are sorted as they are and only the
 * results converted to milliseconds.
 */
export function percentilesOnPostgres(e: string) {
  const fractions = PERCENTILES.map(p => p / 100 - 1e-12).join(', ');
  const succeeded = `${e}.outcome = 'succeeded' AND ${e}.finished_at IS NOT NULL`;
  const disc = (from: string, filter: string) =>
    `percentile_disc(ARRAY[${fractions}]) WITHIN GROUP (ORDER BY ${e}.finished_at - ${from}) FILTER (WHERE ${filter})`;
  const arrays = {
    total: disc(`${e}.queued_at`, succeeded),
    build: disc(
      `${e}.started_at`,
      `${succeeded} AND ${e}.started_at IS NOT NULL`,
    ),
  };
  const columns = (['total', 'build'] as const).flatMap(m =>
    PERCENTILES.map(
      (p, i) =>
        `CAST(EXTRACT(EPOCH FROM (${m}_times)[${
          i + 1
        }]) * 1000 AS BIGINT) AS ${m}_p${p}`,
    ),
  );
  return { arrays, columns };
}
