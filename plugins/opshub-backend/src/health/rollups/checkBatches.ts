import type { Knex } from 'knex';
import { SAMPLE_HOUR_AT_LEAST } from '../healthRows';

/**
 * The hour of a sample exactly as health_samples_check_hour indexes it
 * (`CAST(at_ms / 3600000 AS INTEGER)`): a query on samples bounds it and
 * the check id so the index applies.
 */
export const SAMPLE_HOUR = SAMPLE_HOUR_AT_LEAST.slice(
  0,
  SAMPLE_HOUR_AT_LEAST.lastIndexOf(' >= ?'),
);

/** Checks per statement of the rollup and retention passes (under SQLite's 900 ids). */
export const CHECKS_PER_BATCH = 500;

/**
 * Every check id, ascending, in batches of `size` read by key: samples and
 * rollups are reached through their (check, hour) keys, never by hour alone.
 */
export async function* checkIdBatches(
  knex: Knex,
  size: number = CHECKS_PER_BATCH,
): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const rows: { id: number | string }[] = await knex('health_checks')
      .select('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(size);
    if (rows.length === 0) return;
    const ids = rows.map(row => Number(row.id));
    yield ids;
    if (rows.length < size) return;
    after = ids[ids.length - 1];
  }
}
