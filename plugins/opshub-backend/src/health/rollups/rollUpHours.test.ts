import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { hourOf } from '../healthRows';
import { RECHECK_HOURS, rollUpHours } from './rollUpHours';
import {
  createChecks,
  DAY,
  HOUR,
  insertSamples,
  rollupRows,
  type SampleFixture,
} from './__testUtils__/samples';
import {
  captured,
  planOf,
  SAMPLE_INDEX_PLAN,
} from './__testUtils__/queryPlans';

jest.setTimeout(60_000);

const databases = createTestDatabases();
/** A fixed "now", in the middle of an hour. */
const NOW = Date.UTC(2026, 11, 1, 12, 30);
const CURRENT = hourOf(NOW);
/** The start of the hour `back` hours before the current one. */
const hourStart = (back: number) => (CURRENT - back) * HOUR;

/** Samples of `checkId` with these latencies, spread over the hour `back`. */
const latencies = (
  checkId: string,
  back: number,
  values: number[],
  extra: Partial<SampleFixture> = {},
): SampleFixture[] =>
  values.map((latencyMs, i) => ({
    checkId,
    atMs: hourStart(back) + i * 1000,
    latencyMs,
    ...extra,
  }));

const row = (
  back: number,
  counts: { count: number; failures?: number; degraded?: number },
  p: [number | null, number | null, number | null],
) => ({
  hour: CURRENT - back,
  failures: 0,
  degraded: 0,
  ...counts,
  p50: p[0],
  p95: p[1],
  p99: p[2],
});

describe.each(databases.eachSupportedId())('rollUpHours on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return knex;
  }

  it('rolls up counts and nearest-rank percentiles as computed by hand', async () => {
    const knex = await setup();
    const [twenty, one, two, three, ties, mixed, failing, paused] =
      await createChecks(knex, [
        'twenty',
        'one',
        'two',
        'three',
        'ties',
        'mixed',
        'failing',
        'paused',
      ]);
    // 10, 20, ..., 200 written out of order.
    const tens = Array.from({ length: 20 }, (_, i) => ((i * 7) % 20) * 10 + 10);
    await insertSamples(knex, [
      ...latencies(twenty, 1, tens),
      ...latencies(one, 1, [70]),
      ...latencies(two, 1, [30, 10]),
      ...latencies(three, 1, [9, 5, 7]),
      ...latencies(ties, 1, [40, 50, 40, 40]),
      // 10 successes (10..100) and 2 degraded probes make the 12 latencies;
      // 3 failures count but their time-to-failure is no latency; samples
      // in a maintenance window count nowhere.
      ...latencies(mixed, 1, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]),
      ...latencies(mixed, 1, [900, 950], { outcome: 'degraded' }).map(s => ({
        ...s,
        atMs: s.atMs + 30_000,
      })),
      ...latencies(mixed, 1, [5000, 1, 9000], { outcome: 'failure' }).map(
        s => ({ ...s, atMs: s.atMs + 60_000 }),
      ),
      ...latencies(mixed, 1, [1, 2, 99_999], { inMaintenance: true }),
      ...latencies(mixed, 1, [3], { outcome: 'failure', inMaintenance: true }),
      ...latencies(failing, 1, [10_000, 10_000, 3], { outcome: 'failure' }),
      ...latencies(paused, 1, [10, 20], { inMaintenance: true }),
    ]);

    expect(await rollUpHours(knex, { nowMs: NOW })).toEqual({
      fromHour: CURRENT - 1,
      toHour: CURRENT,
    });

    // P50 = ceil(0.50 n)-th, P95 = ceil(0.95 n)-th, P99 = ceil(0.99 n)-th
    // smallest latency of the probes that did not fail.
    expect(await rollupRows(knex, twenty)).toEqual([
      // n 20: the 10th, 19th and 20th.
      row(1, { count: 20 }, [100, 190, 200]),
    ]);
    // n 1: the 1st thrice.
    expect(await rollupRows(knex, one)).toEqual([
      row(1, { count: 1 }, [70, 70, 70]),
    ]);
    // n 2: the 1st, 2nd, 2nd.
    expect(await rollupRows(knex, two)).toEqual([
      row(1, { count: 2 }, [10, 30, 30]),
    ]);
    // n 3 (5, 7, 9): the 2nd, 3rd, 3rd.
    expect(await rollupRows(knex, three)).toEqual([
      row(1, { count: 3 }, [7, 9, 9]),
    ]);
    // n 4 (40, 40, 40, 50): the 2nd, 4th, 4th.
    expect(await rollupRows(knex, ties)).toEqual([
      row(1, { count: 4 }, [40, 50, 50]),
    ]);
    // n 12 (10..100, 900, 950): the 6th, 12th, 12th.
    expect(await rollupRows(knex, mixed)).toEqual([
      row(1, { count: 15, failures: 3, degraded: 2 }, [60, 950, 950]),
    ]);
    // Only failures: counted, no latency.
    expect(await rollupRows(knex, failing)).toEqual([
      row(1, { count: 3, failures: 3 }, [null, null, null]),
    ]);
    // Only maintenance: no rollup at all.
    expect(await rollupRows(knex, paused)).toEqual([]);
  });

  it('gives each sample the hour it started in and leaves the current hour alone', async () => {
    const knex = await setup();
    const [check] = await createChecks(knex, ['edges']);
    await insertSamples(knex, [
      { checkId: check, atMs: hourStart(2), latencyMs: 1 },
      { checkId: check, atMs: hourStart(1) - 1, latencyMs: 2 },
      { checkId: check, atMs: hourStart(1), latencyMs: 3 },
      { checkId: check, atMs: hourStart(0) - 1, latencyMs: 4 },
      // The current hour is not whole yet.
      { checkId: check, atMs: hourStart(0), latencyMs: 5 },
      { checkId: check, atMs: NOW, latencyMs: 6 },
    ]);
    await rollUpHours(knex, { nowMs: NOW });
    expect(await rollupRows(knex, check)).toEqual([
      row(2, { count: 2 }, [1, 2, 2]),
      row(1, { count: 2 }, [3, 4, 4]),
    ]);
  });

  it('is idempotent, picks up late samples and catches up from the last rolled hour', async () => {
    const knex = await setup();
    const [check, other] = await createChecks(knex, ['late', 'other']);
    await insertSamples(knex, [
      // Rollups are kept 90 days: an older sample is not rolled up.
      { checkId: check, atMs: NOW - 91 * DAY, latencyMs: 1 },
      { checkId: check, atMs: NOW - 20 * DAY, latencyMs: 10 },
      ...latencies(check, 1, [10, 20]),
      ...latencies(other, 3, [30]),
    ]);

    // The first run starts at the oldest sample within 90 days.
    expect(await rollUpHours(knex, { nowMs: NOW })).toEqual({
      fromHour: hourOf(NOW - 20 * DAY),
      toHour: CURRENT,
    });
    const first = await rollupRows(knex, check);
    expect(first).toEqual([
      { ...row(0, { count: 1 }, [10, 10, 10]), hour: hourOf(NOW - 20 * DAY) },
      row(1, { count: 2 }, [10, 20, 20]),
    ]);
    expect(await rollupRows(knex, other)).toEqual([
      row(3, { count: 1 }, [30, 30, 30]),
    ]);

    // Again within the hour: the same rows.
    expect(await rollUpHours(knex, { nowMs: NOW + 60_000 })).toEqual({
      fromHour: CURRENT - RECHECK_HOURS,
      toHour: CURRENT,
    });
    expect(await rollupRows(knex, check)).toEqual(first);

    // A probe of the last hour recorded after its rollup, and the hour
    // that just ended: the next run has both.
    await insertSamples(knex, [
      { checkId: check, atMs: hourStart(0) - 500, latencyMs: 30 },
      ...latencies(check, 0, [5]),
    ]);
    expect(await rollUpHours(knex, { nowMs: NOW + HOUR })).toEqual({
      fromHour: CURRENT - RECHECK_HOURS,
      toHour: CURRENT + 1,
    });
    expect(await rollupRows(knex, check)).toEqual([
      first[0],
      row(1, { count: 3 }, [20, 30, 30]),
      row(0, { count: 1 }, [5, 5, 5]),
    ]);

    // After a few idle hours, the run catches up from the last rolled hour.
    await insertSamples(knex, latencies(other, -5, [8]));
    expect(await rollUpHours(knex, { nowMs: NOW + 10 * HOUR })).toEqual({
      fromHour: CURRENT + 1 - RECHECK_HOURS,
      toHour: CURRENT + 10,
    });
    expect(await rollupRows(knex, other)).toEqual([
      row(3, { count: 1 }, [30, 30, 30]),
      row(-5, { count: 1 }, [8, 8, 8]),
    ]);
  });

  it('rolls up every check, in batches of checks', async () => {
    const knex = await setup();
    const checks = await createChecks(knex, ['a', 'b', 'c', 'd', 'e']);
    await insertSamples(
      knex,
      checks.flatMap((check, i) => latencies(check, 2, [i + 1, 100])),
    );
    await rollUpHours(knex, { nowMs: NOW, checksPerBatch: 2 });
    for (const [i, check] of checks.entries()) {
      expect(await rollupRows(knex, check)).toEqual([
        row(2, { count: 2 }, [i + 1, 100, 100]),
      ]);
    }
    // Nothing to roll up: no samples at all.
    const empty = await setup();
    expect(await rollUpHours(empty, { nowMs: NOW })).toEqual({
      fromHour: CURRENT,
      toHour: CURRENT,
    });
  });

  it('reads samples through the (check, hour) index only', async () => {
    const knex = await setup();
    const [check] = await createChecks(knex, ['indexed']);
    await insertSamples(knex, latencies(check, 1, [10, 20]));
    const queries = await captured(knex, async () => {
      await rollUpHours(knex, { nowMs: NOW });
    });
    const onSamples = queries.filter(q => /health_samples/.test(q.sql));
    // The first run's oldest sample, and the rollup of its hour.
    expect(onSamples).toHaveLength(2);
    for (const query of onSamples) {
      expect(await planOf(knex, id, query)).toMatch(SAMPLE_INDEX_PLAN[id]);
    }
  });
});
