import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { DEFAULT_HEALTH_CONFIG } from '../healthConfig';
import { hourOf } from '../healthRows';
import { deleteExpiredHealthData } from './healthRetention';
import { rollUpHours } from './rollUpHours';
import {
  captured,
  planOf,
  SAMPLE_INDEX_PLAN,
} from './__testUtils__/queryPlans';
import {
  createChecks,
  DAY,
  HOUR,
  insertSamples,
} from './__testUtils__/samples';

jest.setTimeout(60_000);

const databases = createTestDatabases();
/** A fixed "now", in the middle of an hour. */
const NOW = Date.UTC(2026, 11, 1, 12, 30);
const RETENTION = DEFAULT_HEALTH_CONFIG.sampleRetentionMs;
/** The start of the hour in which the 7 days of samples kept begin. */
const KEPT_FROM = hourOf(NOW - RETENTION) * HOUR;

describe.each(databases.eachSupportedId())('health retention on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const checks = await createChecks(knex, ['a', 'b', 'c']);
    const sampleAges = async (checkId: string) =>
      (
        await knex('health_samples')
          .where({ check_id: Number(checkId) })
          .orderBy('at_ms')
          .select('at_ms')
      ).map(row => Number(row.at_ms));
    const rollupHours = async (checkId: string) =>
      (
        await knex('health_rollups')
          .where({ check_id: Number(checkId) })
          .orderBy('hour')
          .select('hour')
      ).map(row => Number(row.hour));
    return { knex, checks, sampleAges, rollupHours };
  }

  it('deletes raw samples older than the retention and rollups older than 90 days, per check', async () => {
    const { knex, checks, sampleAges, rollupHours } = await setup();
    const kept = [KEPT_FROM, NOW - RETENTION, NOW - DAY, NOW - 1000];
    const expired = [NOW - 30 * DAY, NOW - 8 * DAY, KEPT_FROM - 1];
    await insertSamples(
      knex,
      checks.flatMap(checkId =>
        [...expired, ...kept].map(atMs => ({ checkId, atMs })),
      ),
    );
    const rolled = await rollUpHours(knex, { nowMs: NOW });
    expect(rolled.toHour).toBe(hourOf(NOW));
    // Rollups of 91 and 89 days ago, as if rolled up back then.
    const rollup = (checkId: string, hour: number) => ({
      check_id: Number(checkId),
      hour,
      count: 1,
      failures: 0,
      degraded: 0,
    });
    const old = hourOf(NOW - 91 * DAY);
    const recent = hourOf(NOW - 89 * DAY);
    await knex('health_rollups').insert(
      checks.flatMap(c => [rollup(c, old), rollup(c, recent)]),
    );
    const rollupsBefore = await rollupHours(checks[0]);

    expect(
      await deleteExpiredHealthData(knex, {
        nowMs: NOW,
        sampleRetentionMs: RETENTION,
        rolledUpBeforeHour: rolled.toHour,
        checksPerBatch: 2,
      }),
    ).toEqual({ samples: 3 * expired.length, rollups: 3, windows: 0 });
    for (const checkId of checks) {
      expect(await sampleAges(checkId)).toEqual(kept);
      expect(await rollupHours(checkId)).toEqual(
        rollupsBefore.filter(hour => hour !== old),
      );
    }
    // Again: nothing more to delete.
    expect(
      await deleteExpiredHealthData(knex, {
        nowMs: NOW,
        sampleRetentionMs: RETENTION,
        rolledUpBeforeHour: rolled.toHour,
      }),
    ).toEqual({ samples: 0, rollups: 0, windows: 0 });
  });

  it('keeps raw samples of hours not rolled up yet, and follows the configured retention', async () => {
    const { knex, checks, sampleAges } = await setup();
    const [check] = checks;
    const times = [NOW - 10 * DAY, NOW - 9 * DAY, NOW - 2 * DAY, NOW - HOUR];
    await insertSamples(
      knex,
      times.map(atMs => ({ checkId: check, atMs })),
    );
    // Rolled up only until 9 days ago (the rollup task fell behind).
    const deleted = await deleteExpiredHealthData(knex, {
      nowMs: NOW,
      sampleRetentionMs: RETENTION,
      rolledUpBeforeHour: hourOf(NOW - 9 * DAY),
    });
    expect(deleted.samples).toBe(1);
    expect(await sampleAges(check)).toEqual(times.slice(1));

    // A retention of one day.
    await deleteExpiredHealthData(knex, {
      nowMs: NOW,
      sampleRetentionMs: DAY,
      rolledUpBeforeHour: hourOf(NOW),
    });
    expect(await sampleAges(check)).toEqual([NOW - HOUR]);
  });

  it('deletes one-off maintenance windows a day after they ended', async () => {
    const { knex, checks } = await setup();
    const window = (name: string, endsAtMs: number | null) => ({
      check_id: Number(checks[0]),
      kind: endsAtMs === null ? 'weekly' : 'once',
      time_zone: 'UTC',
      ends_at_ms: endsAtMs,
      reason: name,
      created_by: 'user:default/alice',
      created_at: new Date(NOW - 2 * DAY),
    });
    await knex('health_maintenance_windows').insert([
      window('ended two days ago', NOW - 2 * DAY),
      window('ended a day ago to the ms', NOW - DAY),
      window('ended an hour ago', NOW - HOUR),
      window('weekly', null),
    ]);
    const deleted = await deleteExpiredHealthData(knex, {
      nowMs: NOW,
      sampleRetentionMs: RETENTION,
      rolledUpBeforeHour: hourOf(NOW),
    });
    expect(deleted.windows).toBe(1);
    expect(
      (await knex('health_maintenance_windows').orderBy('id')).map(
        row => row.reason,
      ),
    ).toEqual(['ended a day ago to the ms', 'ended an hour ago', 'weekly']);
  });

  it('deletes samples through the (check, hour) index', async () => {
    const { knex, checks } = await setup();
    await insertSamples(knex, [{ checkId: checks[0], atMs: NOW - 8 * DAY }]);
    const queries = await captured(knex, () =>
      deleteExpiredHealthData(knex, {
        nowMs: NOW,
        sampleRetentionMs: RETENTION,
        rolledUpBeforeHour: hourOf(NOW),
      }),
    );
    const onSamples = queries.filter(q => /health_samples/.test(q.sql));
    expect(onSamples).toHaveLength(1);
    expect(await planOf(knex, id, onSamples[0])).toMatch(SAMPLE_INDEX_PLAN[id]);
  });
});
