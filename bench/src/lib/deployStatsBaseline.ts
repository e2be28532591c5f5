import type { Knex } from 'knex';

export const BASELINE_TABLE = 'daily_deploy_stats_baseline';

const ERROR_CLASSES = [
  'build',
  'configuration',
  'quota',
  'provider-outage',
  'timeout',
  'cancelled',
  'stuck',
  'unknown',
];

/** A table of daily_deploy_stats's layout for the baseline's rows. */
export async function createBaselineTable(db: Knex): Promise<void> {
  await db.raw(
    `CREATE TABLE ${BASELINE_TABLE} (LIKE daily_deploy_stats INCLUDING ALL)`,
  );
}

/**
 * The hand-written aggregation: one statement over every deploy event,
 * grouped per entity and UTC day of `queued_at`, for all events and per
 * environment class (GROUPING SETS), with counts by outcome, failures by
 * error class, and nearest-rank P50/P95/P99 (`percentile_disc`, the
 * ⌈p·n⌉-th smallest) of total time (finished − queued) and build time
 * (finished − started) over succeeded deploys. It replaces the baseline
 * table's rows, as a rebuild replaces daily_deploy_stats's.
 */
export async function runBaselineAggregation(db: Knex): Promise<void> {
  const errorCounts = ERROR_CLASSES.map(
    name =>
      `'${name}', nullif(count(*) FILTER (WHERE outcome = 'failed' AND error_class = '${name}'), 0)`,
  ).join(', ');
  await db.transaction(async tx => {
    await tx.raw(`TRUNCATE ${BASELINE_TABLE}`);
    await tx.raw(`
INSERT INTO ${BASELINE_TABLE}
  (entity_ref, environment_class, day, total, succeeded, failed, cancelled,
   superseded, total_p50_ms, total_p95_ms, total_p99_ms, build_p50_ms,
   build_p95_ms, build_p99_ms, error_classes, computed_at)
SELECT entity_ref,
       CASE WHEN grouping(environment_class) = 1 THEN 'all' ELSE environment_class END,
       day,
       count(*),
       count(*) FILTER (WHERE outcome = 'succeeded'),
       count(*) FILTER (WHERE outcome = 'failed'),
       count(*) FILTER (WHERE outcome = 'cancelled'),
       count(*) FILTER (WHERE outcome = 'superseded'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE outcome = 'succeeded'),
       percentile_disc(0.95) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE outcome = 'succeeded'),
       percentile_disc(0.99) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE outcome = 'succeeded'),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY build_ms) FILTER (WHERE outcome = 'succeeded'),
       percentile_disc(0.95) WITHIN GROUP (ORDER BY build_ms) FILTER (WHERE outcome = 'succeeded'),
       percentile_disc(0.99) WITHIN GROUP (ORDER BY build_ms) FILTER (WHERE outcome = 'succeeded'),
       jsonb_strip_nulls(jsonb_build_object(${errorCounts}))::text,
       now()
  FROM (SELECT entity_ref, environment_class, outcome, error_class,
               to_char(queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
               (extract(epoch FROM finished_at - queued_at) * 1000)::bigint AS total_ms,
               (extract(epoch FROM finished_at - started_at) * 1000)::bigint AS build_ms
          FROM deploy_events) e
 GROUP BY GROUPING SETS ((entity_ref, day), (entity_ref, environment_class, day))`);
  });
}

/** Failed deploys by class with zero counts left out, as jsonb. */
const nonZero = (column: string) =>
  `(SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb)
      FROM jsonb_each(${column}::jsonb) AS j(k, v) WHERE v <> '0'::jsonb)`;

const COMPARED = [
  'total',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  'total_p50_ms',
  'total_p95_ms',
  'total_p99_ms',
  'build_p50_ms',
  'build_p95_ms',
  'build_p99_ms',
];

export interface StatsComparison {
  /** Rows (entity, class, day) compared: those of either side. */
  rows: number;
  days: number;
  mismatches: number;
  /** A few mismatching rows, side by side. */
  examples: string[];
}

/**
 * OpsHub's daily_deploy_stats against the baseline's rows on the given
 * days: every (entity, class, day) row of either side must be on both with
 * equal numbers (a row of zero deploys counts as no row); failures by
 * class compare as JSON objects without their zero counts.
 */
export async function compareWithBaseline(
  db: Knex,
  days: string[],
): Promise<StatsComparison> {
  const differs = [
    ...COMPARED.map(c => `o.${c} IS DISTINCT FROM b.${c}`),
    `${nonZero('o.error_classes')} IS DISTINCT FROM ${nonZero(
      'b.error_classes',
    )}`,
  ].join(' OR ');
  const compared = `
    WITH o AS (SELECT * FROM daily_deploy_stats
                WHERE day = ANY(:days::text[]) AND total > 0),
         b AS (SELECT * FROM ${BASELINE_TABLE}
                WHERE day = ANY(:days::text[]) AND total > 0)
    SELECT
           (o.entity_ref IS NULL OR b.entity_ref IS NULL OR ${differs}) AS mismatch,
           coalesce(o.entity_ref, b.entity_ref) || ' ' ||
           coalesce(o.environment_class, b.environment_class) || ' ' ||
           coalesce(o.day, b.day) || ': opshub ' ||
           coalesce(row_to_json(o)::text, 'no row') || ', baseline ' ||
           coalesce(row_to_json(b)::text, 'no row') AS example
      FROM o FULL OUTER JOIN b
        ON o.entity_ref = b.entity_ref
       AND o.environment_class = b.environment_class AND o.day = b.day`;
  const bindings = { days: `{${days.join(',')}}` };
  const {
    rows: [counts],
  } = await db.raw(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE mismatch) AS mismatches
       FROM (${compared}) c`,
    bindings,
  );
  const { rows: examples } = await db.raw(
    `SELECT example FROM (${compared}) c WHERE mismatch LIMIT 3`,
    bindings,
  );
  return {
    rows: Number(counts.rows),
    days: days.length,
    mismatches: Number(counts.mismatches),
    examples: examples.map((r: { example: string }) => r.example),
  };
}
