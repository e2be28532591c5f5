import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  captured,
  planOf,
} from '../../health/rollups/__testUtils__/queryPlans';
import {
  DAILY_STATS_RUN,
  rebuildDailyDeployStats,
  updateDailyDeployStats,
  WATERMARK_OVERLAP_MS,
} from './updateDailyDeployStats';
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
const FIRST_RUN = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 60 * MINUTE;
const s = (seconds: number) => seconds * SECOND;
const OTHER = 'component:default/other';
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(databases.eachSupportedId())(
  'updateDailyDeployStats on %s',
  id => {
    async function setup() {
      const knex = await databases.init(id);
      await migrateUp(knex);
      await insertDeployEvents(knex, [
        ...mixedDay(),
        succeeded('2026-11-11T10:00:00Z', s(10)),
        { ...succeeded('2026-11-12T10:00:00Z', s(10)), entityRef: OTHER },
      ]);
      return knex;
    }
    const computed = async (knex: Parameters<typeof statsRows>[0]) =>
      (await statsRows(knex))
        .filter(r => r.environmentClass === 'all')
        .map(r => [r.entityRef, r.day, r.total, r.computedAt]);

    it('computes every day on its first run, then only the days of events written since', async () => {
      const knex = await setup();
      expect(await updateDailyDeployStats(knex, { nowMs: FIRST_RUN })).toEqual({
        days: 'all',
        readUntilMs: FIRST_RUN,
      });
      expect(await computed(knex)).toEqual([
        [OTHER, '2026-11-12', 1, iso(FIRST_RUN)],
        [ENTITY, MIXED_DAY, 7, iso(FIRST_RUN)],
        [ENTITY, '2026-11-11', 1, iso(FIRST_RUN)],
      ]);

      // A late event of an old day, and the running deploy of MIXED_DAY ends.
      const written = FIRST_RUN + 30 * MINUTE;
      await insertDeployEvents(knex, [
        { ...succeeded('2026-11-01T10:00:00Z', s(10)), updatedAt: written },
      ]);
      await knex('deploy_events')
        .whereNull('outcome')
        .update({
          outcome: 'succeeded',
          finished_at: new Date('2026-11-10T14:10:00Z'),
          updated_at: new Date(written),
        });
      const second = FIRST_RUN + HOUR;
      expect(await updateDailyDeployStats(knex, { nowMs: second })).toEqual({
        days: 2,
        readUntilMs: second,
      });
      expect(await computed(knex)).toEqual([
        [OTHER, '2026-11-12', 1, iso(FIRST_RUN)],
        [ENTITY, '2026-11-01', 1, iso(second)],
        [ENTITY, MIXED_DAY, 7, iso(second)],
        [ENTITY, '2026-11-11', 1, iso(FIRST_RUN)],
      ]);
      const mixed = (await statsRows(knex)).find(
        r => r.day === MIXED_DAY && r.environmentClass === 'production',
      );
      // Production now ranks 61 s and the finished deploy's 10 min.
      expect(mixed).toMatchObject({
        succeeded: 2,
        totalP: [s(61), s(600), s(600)],
      });

      // Nothing written since: nothing recomputed.
      const third = second + HOUR;
      expect(await updateDailyDeployStats(knex, { nowMs: third })).toEqual({
        days: 0,
        readUntilMs: third,
      });
      expect(await knex('deploy_stats_runs').pluck('id')).toEqual([
        DAILY_STATS_RUN,
      ]);
    });

    it('reads again the events written shortly before the last run, for late commits and clock skew', async () => {
      const knex = await setup();
      await updateDailyDeployStats(knex, { nowMs: FIRST_RUN });
      await insertDeployEvents(knex, [
        {
          ...succeeded('2026-11-02T10:00:00Z', s(10)),
          updatedAt: FIRST_RUN - WATERMARK_OVERLAP_MS + SECOND,
        },
        {
          ...succeeded('2026-11-03T10:00:00Z', s(10)),
          updatedAt: FIRST_RUN - WATERMARK_OVERLAP_MS - SECOND,
        },
      ]);
      expect(
        await updateDailyDeployStats(knex, { nowMs: FIRST_RUN + HOUR }),
      ).toMatchObject({
        days: 1,
      });
      expect((await computed(knex)).map(r => r[1])).toContain('2026-11-02');
      expect((await computed(knex)).map(r => r[1])).not.toContain('2026-11-03');
    });

    it('never moves the watermark back, and a rebuild computes every day again', async () => {
      const knex = await setup();
      await updateDailyDeployStats(knex, { nowMs: FIRST_RUN + HOUR });
      expect(
        await updateDailyDeployStats(knex, { nowMs: FIRST_RUN }),
      ).toMatchObject({
        readUntilMs: FIRST_RUN + HOUR,
      });
      const before = await statsRows(knex);
      await rebuildDailyDeployStats(knex, { nowMs: FIRST_RUN + 2 * HOUR });
      const after = await statsRows(knex);
      expect(after.map(({ computedAt: _, ...r }) => r)).toEqual(
        before.map(({ computedAt: _, ...r }) => r),
      );
      expect(new Set(after.map(r => r.computedAt))).toEqual(
        new Set([iso(FIRST_RUN + 2 * HOUR)]),
      );
      expect(
        await updateDailyDeployStats(knex, { nowMs: FIRST_RUN + 3 * HOUR }),
      ).toEqual({
        days: 0,
        readUntilMs: FIRST_RUN + 3 * HOUR,
      });
    });

    it('finds the changed events through the updated_at index', async () => {
      const knex = await setup();
      await updateDailyDeployStats(knex, { nowMs: FIRST_RUN });
      const queries = await captured(knex, () =>
        updateDailyDeployStats(knex, { nowMs: FIRST_RUN + HOUR }),
      );
      const changed = queries.filter(q => /^select distinct/i.test(q.sql));
      expect(changed).toHaveLength(1);
      expect(await planOf(knex, id, changed[0])).toMatch(
        id === 'POSTGRES_15'
          ? /(Index Scan using deploy_events_updated on deploy_events|Bitmap Index Scan on deploy_events_updated)[^\n]*\n[^\n]*Index Cond: \(updated_at > /
          : /USING INDEX deploy_events_updated \(updated_at>\?\)/,
      );
    });
  },
);
