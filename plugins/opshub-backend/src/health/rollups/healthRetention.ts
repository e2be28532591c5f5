import type { Knex } from 'knex';
import { ROLLUP_RETENTION_MS } from '../healthConfig';
import { ENDED_KEPT_MS } from '../maintenance/DatabaseMaintenanceWindows';
import { hourOf, IdQueries } from '../healthRows';
import { checkIdBatches, CHECKS_PER_BATCH, SAMPLE_HOUR } from './checkBatches';

/** Rows deleted by a retention pass. */
export interface DeletedHealthData {
  samples: number;
  rollups: number;
  /** One-off maintenance windows that ended more than a day ago. */
  windows: number;
}

/**
 * Deletes raw samples older than `sampleRetentionMs` (the whole hours
 * before the hour that many ms ago, and only hours before
 * `rolledUpBeforeHour`: never one not yet rolled up) and rollups older
 * than 90 days, per batch of checks through their (check, hour) keys, and
 * one-off maintenance windows that ended more than a day ago.
 * The samples and rollups of a deleted check went with it.
 */
export async function deleteExpiredHealthData(
  knex: Knex,
  options: {
    nowMs: number;
    sampleRetentionMs: number;
    /** Every hour before this one is rolled up (rollUpHours' toHour). */
    rolledUpBeforeHour: number;
    checksPerBatch?: number;
  },
): Promise<DeletedHealthData> {
  const samplesBefore = Math.min(
    hourOf(options.nowMs - options.sampleRetentionMs),
    options.rolledUpBeforeHour,
  );
  const rollupsBefore = hourOf(options.nowMs - ROLLUP_RETENTION_MS);
  const ids = new IdQueries(knex.client.config.client === 'pg');
  const deleted: DeletedHealthData = {
    samples: 0,
    rollups: 0,
    windows: await knex('health_maintenance_windows')
      .where('ends_at_ms', '<', options.nowMs - ENDED_KEPT_MS)
      .delete(),
  };
  for await (const batch of checkIdBatches(
    knex,
    options.checksPerBatch ?? CHECKS_PER_BATCH,
  )) {
    deleted.samples += await ids
      .whereIdIn(knex('health_samples'), 'check_id', batch)
      .whereRaw(`${SAMPLE_HOUR} < ?`, [samplesBefore])
      .delete();
    deleted.rollups += await ids
      .whereIdIn(knex('health_rollups'), 'check_id', batch)
      .where('hour', '<', rollupsBefore)
      .delete();
  }
  return deleted;
}
