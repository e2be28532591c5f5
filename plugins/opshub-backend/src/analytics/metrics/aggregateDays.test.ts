import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  captured,
  planOf,
} from '../../health/rollups/__testUtils__/queryPlans';
import { aggregateDays } from './aggregateDays';
import {
  ENTITY,
  insertDeployEvents,
  MINUTE,
  SECOND,
  statsRows,
  succeeded,
} from './__testUtils__/deployEvents';
import { MIXED_DAY, mixedDay } from './__testUtils__/mixedDay';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-11-20T12:00:00Z');
const s = (seconds: number) => seconds * SECOND;
const OTHER = 'component:default/other';

/** The rows of MIXED_DAY, computed by hand (see mixedDay). */
const mixedDayRows = (computedAt: number, entityRef = ENTITY) => [
  {
    entityRef,
    environmentClass: 'all',
    day: MIXED_DAY,
    total: 7,
    succeeded: 3,
    failed: 1,
    cancelled: 1,
    superseded: 1,
    totalP: [s(122), s(300), s(300)],
    buildP: [s(60), s(120), s(120)],
    errorClasses: { build: 1 },
    computedAt: new Date(computedAt).toISOString(),
  },
  {
    entityRef,
    environmentClass: 'preview',
    day: MIXED_DAY,
    total: 4,
    succeeded: 2,
    failed: 0,
    cancelled: 1,
    superseded: 1,
    totalP: [s(122), s(300), s(300)],
    buildP: [s(120), s(120), s(120)],
    errorClasses: {},
    computedAt: new Date(computedAt).toISOString(),
  },
  {
    entityRef,
    environmentClass: 'production',
    day: MIXED_DAY,
    total: 3,
    succeeded: 1,
    failed: 1,
    cancelled: 0,
    superseded: 0,
    totalP: [s(61), s(61), s(61)],
    buildP: [s(60), s(60), s(60)],
    errorClasses: { build: 1 },
    computedAt: new Date(computedAt).toISOString(),
  },
];

const withoutComputedAt = (rows: Awaited<ReturnType<typeof statsRows>>) =>
  rows.map(({ computedAt: _, ...rest }) => rest);

describe.each(databases.eachSupportedId())('aggregateDays on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return knex;
  }

  it('computes a day for all, production and preview as computed by hand', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      ...mixedDay(),
      // Neither the next day nor another entity is listed.
      succeeded('2026-11-11T00:00:00Z', s(10)),
      { ...succeeded('2026-11-10T10:00:00Z', s(10)), entityRef: OTHER },
    ]);
    expect(
      await aggregateDays(knex, {
        days: [
          { entityRef: ENTITY, day: MIXED_DAY },
          { entityRef: ENTITY, day: MIXED_DAY },
        ],
        nowMs: NOW,
      }),
    ).toEqual({ days: 1 });
    expect(await statsRows(knex)).toEqual(mixedDayRows(NOW));
  });

  it('ranks 20 durations, ties and a single deploy by nearest rank', async () => {
    const knex = await setup();
    const at = (day: string, i: number) =>
      Date.parse(`${day}T10:00:00Z`) + i * MINUTE;
    const builds = Array.from(
      { length: 20 },
      (_, i) => (((i * 7) % 20) + 1) * 10,
    );
    await insertDeployEvents(knex, [
      ...builds.map((b, i) => succeeded(at('2026-11-01', i), s(b))),
      ...[5, 7, 5, 5].map((b, i) => succeeded(at('2026-11-02', i), s(b))),
      succeeded(at('2026-11-03', 0), s(42), s(3)),
    ]);
    await aggregateDays(knex, { days: 'all', nowMs: NOW });
    const all = (await statsRows(knex)).filter(
      r => r.environmentClass === 'all',
    );
    expect(all.map(r => [r.day, r.total, r.totalP, r.buildP])).toEqual([
      ['2026-11-01', 20, [s(101), s(191), s(201)], [s(100), s(190), s(200)]],
      ['2026-11-02', 4, [s(6), s(8), s(8)], [s(5), s(7), s(7)]],
      ['2026-11-03', 1, [s(45), s(45), s(45)], [s(42), s(42), s(42)]],
    ]);
  });

  it('gives the same rows when run again, listed or all', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      ...mixedDay(),
      ...mixedDay({ entityRef: OTHER }),
      succeeded('2026-12-31T23:59:59.999Z', s(10)),
      {
        queuedAt: '2027-01-01T00:00:00Z',
        outcome: 'failed',
        errorClass: 'quota',
      },
    ]);
    await aggregateDays(knex, { days: 'all', nowMs: NOW });
    const first = await statsRows(knex);
    expect(first.filter(r => r.entityRef === OTHER)).toEqual(
      mixedDayRows(NOW, OTHER),
    );
    expect(
      first
        .filter(r => r.environmentClass === 'all')
        .map(r => [r.entityRef, r.day]),
    ).toEqual([
      [OTHER, MIXED_DAY],
      [ENTITY, MIXED_DAY],
      [ENTITY, '2026-12-31'],
      [ENTITY, '2027-01-01'],
    ]);
    expect(first.find(r => r.day === '2027-01-01')).toMatchObject({
      total: 1,
      failed: 1,
      totalP: [null, null, null],
      errorClasses: { quota: 1 },
    });

    await aggregateDays(knex, { days: 'all', nowMs: NOW + MINUTE });
    const again = await statsRows(knex);
    expect(withoutComputedAt(again)).toEqual(withoutComputedAt(first));
    expect(new Set(again.map(r => r.computedAt))).toEqual(
      new Set([new Date(NOW + MINUTE).toISOString()]),
    );

    await aggregateDays(knex, {
      days: first.map(r => ({ entityRef: r.entityRef, day: r.day })),
      nowMs: NOW + 2 * MINUTE,
    });
    expect(withoutComputedAt(await statsRows(knex))).toEqual(
      withoutComputedAt(first),
    );
  });

  it('deletes the rows of a listed day, or class, without events anymore', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      ...mixedDay(),
      succeeded('2026-11-12T10:00:00Z', s(10)),
    ]);
    await aggregateDays(knex, { days: 'all', nowMs: NOW });

    await knex('deploy_events')
      .where({ environment_class: 'preview' })
      .delete();
    await aggregateDays(knex, {
      days: [{ entityRef: ENTITY, day: MIXED_DAY }],
      nowMs: NOW + MINUTE,
    });
    expect(
      (await statsRows(knex)).map(r => [r.day, r.environmentClass, r.total]),
    ).toEqual([
      [MIXED_DAY, 'all', 3],
      [MIXED_DAY, 'production', 3],
      ['2026-11-12', 'all', 1],
      ['2026-11-12', 'production', 1],
    ]);

    await knex('deploy_events')
      .where('queued_at', '<', new Date('2026-11-11T00:00:00Z'))
      .delete();
    await aggregateDays(knex, {
      days: [{ entityRef: ENTITY, day: MIXED_DAY }],
      nowMs: NOW + MINUTE,
    });
    expect(
      (await statsRows(knex)).map(r => [
        r.day,
        r.environmentClass,
        r.computedAt,
      ]),
    ).toEqual([
      ['2026-11-12', 'all', new Date(NOW).toISOString()],
      ['2026-11-12', 'production', new Date(NOW).toISOString()],
    ]);
  });

  it('reads the listed days through the (entity_ref, queued_at) index', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, mixedDay());
    const queries = await captured(knex, () =>
      aggregateDays(knex, {
        days: [{ entityRef: ENTITY, day: MIXED_DAY }],
        nowMs: NOW,
      }),
    );
    const onEvents = queries.filter(q => /deploy_events e/.test(q.sql));
    expect(onEvents).toHaveLength(2);
    for (const q of onEvents) {
      expect(await planOf(knex, id, q)).toMatch(
        id === 'POSTGRES_15'
          ? /Index (Only )?Scan using deploy_events_entity_queued on deploy_events e[^\n]*\n[^\n]*Index Cond: [^\n]*entity_ref(\)::text)? = [^\n]*queued_at >= [^\n]*queued_at < /
          : /USING (COVERING )?INDEX deploy_events_entity_queued \(entity_ref=\? AND queued_at>\? AND queued_at<\?\)/,
      );
    }
  });
});
