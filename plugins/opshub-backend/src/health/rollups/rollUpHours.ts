import type { Knex } from 'knex';
import { ROLLUP_RETENTION_MS } from '../healthConfig';
import { hourOf, IdQueries } from '../healthRows';
import { FAILURE_CODE, outcomeToCode } from '../sampleCodes';
import { checkIdBatches, CHECKS_PER_BATCH, SAMPLE_HOUR } from './checkBatches';

/**
 * Hours before the last rolled one that every run rolls again: a probe is
 * recorded after it ends, so an hour's last samples can land after the
 * hour was rolled.
 */
export const RECHECK_HOURS = 3;
/** Hours of samples per statement (with a batch of checks). */
const HOURS_PER_STATEMENT = 4;

/** The hours a run rolled up, `[fromHour, toHour)` (epoch ms / 3600000). */
export interface RolledHours {
  fromHour: number;
  /** The current hour: every whole hour before it is rolled up. */
  toHour: number;
}

const DEGRADED_CODE = outcomeToCode('degraded');
/** The nearest rank of percentile `p` among `n` values: ceil(p·n / 100). */
const nearestRank = (p: number) => `(${p} * n + 99) / 100`;
/** The latency at a rank among the hour's probes that were not failures. */
const percentile = (p: number) =>
  `MAX(CASE WHEN failed = 0 AND rn = ${nearestRank(p)} THEN latency_ms END)`;

/**
 * The hour each run starts at: a few hours before the last rolled one, or
 * the oldest sample's on the first run; never older than rollups are kept.
 * Both are looked up per check, through the (check, hour) keys.
 */
async function firstHourToRoll(
  knex: Knex,
  nowMs: number,
): Promise<number | undefined> {
  const oldestKept = hourOf(nowMs - ROLLUP_RETENTION_MS);
  const overChecks = async (
    perCheck: string,
    aggregate: 'MAX' | 'MIN',
  ): Promise<number | undefined> => {
    const row = await knex
      .from(
        knex.raw(`(SELECT (${perCheck}) AS hour FROM health_checks c) AS t`, [
          oldestKept,
        ]),
      )
      .first(knex.raw(`${aggregate}(hour) AS hour`));
    return row?.hour === null || row?.hour === undefined
      ? undefined
      : Number(row.hour);
  };
  const lastRolled = await overChecks(
    'SELECT MAX(r.hour) FROM health_rollups r WHERE r.check_id = c.id AND r.hour >= ?',
    'MAX',
  );
  if (lastRolled !== undefined) {
    return Math.max(lastRolled + 1 - RECHECK_HOURS, oldestKept);
  }
  return overChecks(
    `SELECT MIN(${SAMPLE_HOUR}) FROM health_samples s WHERE s.check_id = c.id AND ${SAMPLE_HOUR} >= ?`,
    'MIN',
  );
}

/**
 * Upserts the rollups of `ids` for the hours `[fromHour, toHour)` in one
 * statement: count, failures and degraded probes, and the latency
 * percentiles by nearest rank (the ceil(p·n/100)-th smallest) over the
 * probes that were not failures. Samples taken in a maintenance window
 * count in none of them; an hour with no other sample has no rollup.
 */
function rollUpStatement(
  knex: Knex,
  ids: IdQueries,
  checkIds: number[],
  fromHour: number,
  toHour: number,
) {
  const samples = ids
    .whereIdIn(knex('health_samples'), 'check_id', checkIds)
    .select(
      'check_id',
      knex.raw(`${SAMPLE_HOUR} AS hour`),
      'outcome',
      'latency_ms',
      knex.raw(
        `CASE WHEN outcome = ${FAILURE_CODE} THEN 1 ELSE 0 END AS failed`,
      ),
    )
    .whereRaw(`${SAMPLE_HOUR} >= ?`, [fromHour])
    .whereRaw(`${SAMPLE_HOUR} < ?`, [toHour])
    .where('in_maintenance', false);
  const ranked = knex
    .from(samples.as('s'))
    .select(
      '*',
      knex.raw(
        'ROW_NUMBER() OVER (PARTITION BY check_id, hour, failed ORDER BY latency_ms) AS rn',
      ),
      knex.raw('COUNT(*) OVER (PARTITION BY check_id, hour, failed) AS n'),
    );
  return knex.raw(
    `INSERT INTO health_rollups
       (check_id, hour, count, failures, degraded,
        p50_latency_ms, p95_latency_ms, p99_latency_ms)
     SELECT check_id, hour, COUNT(*), SUM(failed),
       SUM(CASE WHEN outcome = ${DEGRADED_CODE} THEN 1 ELSE 0 END),
       ${percentile(50)}, ${percentile(95)}, ${percentile(99)}
     FROM ? AS r
     GROUP BY check_id, hour
     ON CONFLICT (check_id, hour) DO UPDATE SET
       count = excluded.count,
       failures = excluded.failures,
       degraded = excluded.degraded,
       p50_latency_ms = excluded.p50_latency_ms,
       p95_latency_ms = excluded.p95_latency_ms,
       p99_latency_ms = excluded.p99_latency_ms`,
    [ranked],
  );
}

/**
 * Rolls the raw samples of every check up into hourly rollups, for each
 * whole hour since the last run (a few hours again, for late samples) up
 * to the current hour. Idempotent: rolling an hour again gives the same
 * rows, plus the samples recorded since.
 */
export async function rollUpHours(
  knex: Knex,
  options: { nowMs: number; checksPerBatch?: number },
): Promise<RolledHours> {
  const toHour = hourOf(options.nowMs);
  const fromHour = Math.min(
    (await firstHourToRoll(knex, options.nowMs)) ?? toHour,
    toHour,
  );
  if (fromHour === toHour) return { fromHour, toHour };
  const ids = new IdQueries(knex.client.config.client === 'pg');
  for await (const batch of checkIdBatches(
    knex,
    options.checksPerBatch ?? CHECKS_PER_BATCH,
  )) {
    for (let from = fromHour; from < toHour; from += HOURS_PER_STATEMENT) {
      const to = Math.min(from + HOURS_PER_STATEMENT, toHour);
      await rollUpStatement(knex, ids, batch, from, to);
    }
  }
  return { fromHour, toHour };
}
