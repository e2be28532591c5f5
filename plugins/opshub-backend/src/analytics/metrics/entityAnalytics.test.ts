import { InputError } from '@backstage/errors';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  captured,
  planOf,
} from '../../health/rollups/__testUtils__/queryPlans';
import { entityAnalytics, type EntityAnalyticsQuery } from './entityAnalytics';
import {
  ENTITY,
  insertDeployEvents,
  MINUTE,
  SECOND,
  succeeded,
} from './__testUtils__/deployEvents';
import { MIXED_DAY, mixedDay } from './__testUtils__/mixedDay';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const s = (seconds: number) => seconds * SECOND;
const zeroDay = (date: string) => ({
  date,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
});
const query = (
  from: string,
  to: string,
  environmentClass: EntityAnalyticsQuery['environmentClass'] = null,
): EntityAnalyticsQuery => ({ entityRef: ENTITY, from, to, environmentClass });

/** Deploys read through (entity_ref, queued_at), bounded by both. */
const EVENT_INDEX_PLAN: Record<string, RegExp> = {
  POSTGRES_15:
    /(Index (Only )?Scan( Backward)?|Bitmap Index Scan) using deploy_events_entity_queued on deploy_events[^\n]*\n[^\n]*Index Cond: [^\n]*entity_ref(\)::text)? = [^\n]*queued_at >= [^\n]*queued_at < /,
  SQLITE_3:
    /USING INDEX deploy_events_entity_queued \(entity_ref=\? AND queued_at>\? AND queued_at<\?\)/,
};

describe.each(databases.eachSupportedId())('entityAnalytics on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return knex;
  }

  it('has zero counts, every day and null percentiles for a window without deploys', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      succeeded('2026-11-01T10:00:00Z', s(30)),
      {
        ...succeeded('2026-11-10T10:00:00Z', s(30)),
        entityRef: 'component:default/other',
      },
    ]);
    const nulls = { p50Ms: null, p95Ms: null, p99Ms: null };
    expect(
      await entityAnalytics(knex, query('2026-11-09', '2026-11-11')),
    ).toEqual({
      from: '2026-11-09',
      to: '2026-11-11',
      environment: null,
      deploys: {
        total: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        superseded: 0,
        successRate: null,
        byDay: ['2026-11-09', '2026-11-10', '2026-11-11'].map(zeroDay),
      },
      totalTime: nulls,
      buildTime: nulls,
      errorClasses: [],
      recent: [],
    });
  });

  it('gives one deploy as every percentile', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      succeeded('2026-11-10T10:00:00Z', s(42), s(3)),
    ]);
    const result = await entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY));
    expect(result.deploys).toMatchObject({
      total: 1,
      succeeded: 1,
      successRate: 1,
    });
    expect(result.totalTime).toEqual({
      p50Ms: s(45),
      p95Ms: s(45),
      p99Ms: s(45),
    });
    expect(result.buildTime).toEqual({
      p50Ms: s(42),
      p95Ms: s(42),
      p99Ms: s(42),
    });
  });

  it('ranks 20 durations by nearest rank: P50 the 10th, P95 the 19th, P99 the 20th', async () => {
    const knex = await setup();
    // Builds of 10 s, 20 s, ..., 200 s written out of order; 1 s queued.
    const builds = Array.from(
      { length: 20 },
      (_, i) => (((i * 7) % 20) + 1) * 10,
    );
    await insertDeployEvents(
      knex,
      builds.map((b, i) =>
        succeeded(Date.parse('2026-11-10T10:00:00Z') + i * MINUTE, s(b)),
      ),
    );
    const result = await entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY));
    expect(result.buildTime).toEqual({
      p50Ms: s(100),
      p95Ms: s(190),
      p99Ms: s(200),
    });
    expect(result.totalTime).toEqual({
      p50Ms: s(101),
      p95Ms: s(191),
      p99Ms: s(201),
    });
  });

  it('ranks ties as equal values', async () => {
    const knex = await setup();
    await insertDeployEvents(
      knex,
      [5, 7, 5, 5].map((b, i) =>
        succeeded(Date.parse('2026-11-10T10:00:00Z') + i * MINUTE, s(b)),
      ),
    );
    // n = 4: P50 the 2nd (5 s), P95 and P99 the 4th (7 s).
    const result = await entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY));
    expect(result.buildTime).toEqual({ p50Ms: s(5), p95Ms: s(7), p99Ms: s(7) });
    expect(result.totalTime).toEqual({ p50Ms: s(6), p95Ms: s(8), p99Ms: s(8) });
  });

  it('counts superseded apart and running in the total alone, out of the success rate and percentiles', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, mixedDay());
    const result = await entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY));
    expect(result.deploys).toEqual({
      total: 7,
      succeeded: 3,
      failed: 1,
      cancelled: 1,
      superseded: 1,
      successRate: 0.6,
      byDay: [{ date: MIXED_DAY, succeeded: 3, failed: 1, cancelled: 1 }],
    });
    expect(result.totalTime).toEqual({
      p50Ms: s(122),
      p95Ms: s(300),
      p99Ms: s(300),
    });
    expect(result.buildTime).toEqual({
      p50Ms: s(60),
      p95Ms: s(120),
      p99Ms: s(120),
    });
    // The cancelled deploy's class is not a failure's.
    expect(result.errorClasses).toEqual([{ class: 'build', count: 1 }]);
  });

  it('filters by environment class', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, mixedDay());
    const production = await entityAnalytics(
      knex,
      query(MIXED_DAY, MIXED_DAY, 'production'),
    );
    expect(production.environment).toBe('production');
    expect(production.deploys).toMatchObject({
      total: 3,
      succeeded: 1,
      failed: 1,
      cancelled: 0,
      superseded: 0,
      successRate: 0.5,
    });
    expect(production.totalTime).toEqual({
      p50Ms: s(61),
      p95Ms: s(61),
      p99Ms: s(61),
    });
    expect(production.recent.map(e => e.environmentClass)).toEqual([
      'production',
      'production',
      'production',
    ]);
    const preview = await entityAnalytics(
      knex,
      query(MIXED_DAY, MIXED_DAY, 'preview'),
    );
    expect(preview.deploys).toMatchObject({
      total: 4,
      succeeded: 2,
      failed: 0,
      cancelled: 1,
      superseded: 1,
      successRate: 2 / 3,
    });
    expect(preview.totalTime).toEqual({
      p50Ms: s(122),
      p95Ms: s(300),
      p99Ms: s(300),
    });
    expect(preview.buildTime).toEqual({
      p50Ms: s(120),
      p95Ms: s(120),
      p99Ms: s(120),
    });
    expect(preview.errorClasses).toEqual([]);
  });

  it('counts failures by class, most first, ties by class name, unknown classes as unknown', async () => {
    const knex = await setup();
    const failed = (errorClass: string | null, minute: number) => ({
      queuedAt: Date.parse('2026-11-10T10:00:00Z') + minute * MINUTE,
      finishedAt: Date.parse('2026-11-10T10:00:30Z') + minute * MINUTE,
      outcome: 'failed' as const,
      errorClass,
    });
    await insertDeployEvents(knex, [
      failed('timeout', 1),
      failed('build', 2),
      failed('configuration', 3),
      failed('timeout', 4),
      failed(null, 5),
      failed('build', 6),
      failed('configuration', 7),
      failed('quota', 8),
      failed('something-new', 9),
      failed('configuration', 10),
    ]);
    const result = await entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY));
    expect(result.errorClasses).toEqual([
      { class: 'configuration', count: 3 },
      { class: 'build', count: 2 },
      { class: 'timeout', count: 2 },
      { class: 'unknown', count: 2 },
      { class: 'quota', count: 1 },
    ]);
    expect(result.deploys.successRate).toBe(0);
  });

  it('reads the UTC days of a window across a year end, both ends included, empty days as zeros', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      succeeded('2026-12-29T23:59:59.999Z', s(10)),
      succeeded('2026-12-30T00:00:00.000Z', s(10)),
      {
        queuedAt: '2026-12-31T12:00:00Z',
        finishedAt: '2026-12-31T12:01:00Z',
        outcome: 'failed',
      },
      {
        queuedAt: '2027-01-02T23:59:59.999Z',
        finishedAt: '2027-01-03T00:00:30Z',
        outcome: 'cancelled',
      },
      succeeded('2027-01-03T00:00:00.000Z', s(10)),
      {
        ...succeeded('2027-01-01T10:00:00Z', s(10)),
        entityRef: 'component:default/other',
      },
    ]);
    const result = await entityAnalytics(
      knex,
      query('2026-12-30', '2027-01-02'),
    );
    expect(result.deploys).toEqual({
      total: 3,
      succeeded: 1,
      failed: 1,
      cancelled: 1,
      superseded: 0,
      successRate: 1 / 3,
      byDay: [
        { date: '2026-12-30', succeeded: 1, failed: 0, cancelled: 0 },
        { date: '2026-12-31', succeeded: 0, failed: 1, cancelled: 0 },
        zeroDay('2027-01-01'),
        { date: '2027-01-02', succeeded: 0, failed: 0, cancelled: 1 },
      ],
    });
    expect(result.recent.map(e => e.queuedAt)).toEqual([
      '2027-01-02T23:59:59.999Z',
      '2026-12-31T12:00:00.000Z',
      '2026-12-30T00:00:00.000Z',
    ]);
  });

  it('lists the newest 50 deploys of the window, newest first, with their times', async () => {
    const knex = await setup();
    const start = Date.parse('2026-11-10T00:00:00Z');
    await insertDeployEvents(knex, [
      ...Array.from({ length: 54 }, (_, i) =>
        succeeded(start + i * MINUTE, s(20), s(2)),
      ),
      {
        queuedAt: start + 60 * MINUTE,
        startedAt: start + 60 * MINUTE + s(5),
        outcome: null,
      },
    ]);
    const { recent, deploys } = await entityAnalytics(
      knex,
      query(MIXED_DAY, MIXED_DAY),
    );
    expect(deploys.total).toBe(55);
    expect(recent).toHaveLength(50);
    expect(recent[0]).toEqual({
      id: expect.any(String),
      entityRef: ENTITY,
      environment: 'production',
      environmentClass: 'production',
      source: 'github',
      provider: 'github',
      repository: 'acme/shop',
      headSha: 'sha54',
      prNumber: null,
      previewId: null,
      url: null,
      outcome: null,
      errorClass: null,
      errorCode: null,
      queuedAt: '2026-11-10T01:00:00.000Z',
      startedAt: '2026-11-10T01:00:05.000Z',
      finishedAt: null,
      queueTimeMs: s(5),
      buildTimeMs: null,
      totalTimeMs: null,
    });
    expect(recent[1]).toMatchObject({
      queuedAt: '2026-11-10T00:53:00.000Z',
      outcome: 'succeeded',
      queueTimeMs: s(2),
      buildTimeMs: s(20),
      totalTimeMs: s(22),
    });
    expect(recent[49].queuedAt).toBe('2026-11-10T00:05:00.000Z');
  });

  it('refuses windows that are not from ≤ to, ISO dates, at most 400 days', async () => {
    const knex = await setup();
    for (const [from, to] of [
      ['2026-11-10', '2026-11-09'],
      ['2026-01-01', '2027-02-05'],
      ['2026-02-30', '2026-03-01'],
      ['2026-11-1', '2026-11-10'],
      ['yesterday', '2026-11-10'],
    ]) {
      await expect(entityAnalytics(knex, query(from, to))).rejects.toThrow(
        InputError,
      );
    }
    // 400 days, both ends included.
    const longest = await entityAnalytics(
      knex,
      query('2026-01-01', '2027-02-04'),
    );
    expect(longest.deploys.byDay).toHaveLength(400);
  });

  it('reads the events through the (entity_ref, queued_at) index', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, mixedDay());
    const queries = await captured(knex, () =>
      entityAnalytics(knex, query(MIXED_DAY, MIXED_DAY, 'production')),
    );
    const onEvents = queries.filter(q => /deploy_events/.test(q.sql));
    expect(onEvents).toHaveLength(3);
    for (const q of onEvents) {
      expect(await planOf(knex, id, q)).toMatch(EVENT_INDEX_PLAN[id]);
    }
  });
});
