import type { OpsHubMaintenanceWindowInput } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import type { ProbeToApply, StoredHealthCheck } from '../HealthStore';
import type { ProbeResult } from '../probe/types';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { DatabaseMaintenanceWindows } from './DatabaseMaintenanceWindows';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const ENTITY = 'component:default/storefront';
const MINUTE = 60_000;
/** A one-off window: 2026-12-01 13:00 to 14:00 in Berlin, 12:00Z to 13:00Z. */
const START = Date.parse('2026-12-01T12:00:00Z');
const END = START + 60 * MINUTE;
const ONE_HOUR: OpsHubMaintenanceWindowInput = {
  kind: 'once',
  startsAt: '2026-12-01T13:00',
  endsAt: '2026-12-01T14:00',
  timeZone: 'Europe/Berlin',
};

function result(atMs: number, outcome: ProbeResult['outcome']): ProbeResult {
  const failed = outcome === 'failure';
  return {
    outcome,
    startedAt: new Date(atMs),
    latencyMs: 40,
    statusCode: failed ? 503 : 200,
    errorClass: failed ? 'status' : null,
    message: null,
  };
}

describe.each(databases.eachSupportedId())(
  'probes in maintenance windows on %s',
  id => {
    let knex: Knex;
    let store: DatabaseHealthStore;
    let windows: DatabaseMaintenanceWindows;

    beforeEach(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      store = new DatabaseHealthStore(knex);
      windows = new DatabaseMaintenanceWindows(knex, { now: () => START });
    });

    const apply = (
      check: StoredHealthCheck,
      atMs: number,
      outcome: ProbeResult['outcome'],
    ): ProbeToApply => ({
      checkId: check.id,
      version: check.updatedAt.getTime(),
      result: result(atMs, outcome),
    });
    /** The check's samples, oldest first: [time, taken in maintenance]. */
    const samplesOf = async (check: StoredHealthCheck) =>
      (
        await knex('health_samples')
          .where({ check_id: Number(check.id) })
          .orderBy('at_ms')
      ).map(row => [Number(row.at_ms), Boolean(row.in_maintenance)]);
    const standingOf = async (check: StoredHealthCheck) => {
      const {
        state,
        consecutiveFailures,
        consecutiveBad,
        consecutiveSuccesses,
      } = (await store.getCheck(ENTITY, check.id))!;
      return {
        state,
        consecutiveFailures,
        consecutiveBad,
        consecutiveSuccesses,
      };
    };
    const IN_MAINTENANCE = {
      state: 'maintenance',
      consecutiveFailures: 0,
      consecutiveBad: 0,
      consecutiveSuccesses: 0,
    };

    it('keeps samples in a window marked, shows maintenance, closes the open incident at the first and opens none', async () => {
      const check = await store.createCheck(
        newHealthCheck({ entityRef: ENTITY, failureThreshold: 2 }),
      );
      await windows.create(ENTITY, check.id, ONE_HOUR, 'user:default/alice');

      // Down before the window, with an incident.
      await store.applyProbes([
        apply(check, START - 3 * MINUTE, 'success'),
        apply(check, START - 2 * MINUTE, 'failure'),
        apply(check, START - MINUTE, 'failure'),
      ]);
      expect((await standingOf(check)).state).toBe('down');
      await knex('health_checks').update({ alert_due_at_ms: null });

      // The window's first instant: planned from here on.
      expect(await store.applyProbes([apply(check, START, 'failure')])).toEqual(
        [{ entityRef: ENTITY, changed: true }],
      );
      expect(await standingOf(check)).toEqual(IN_MAINTENANCE);
      const [incident] = await store.listIncidents(check.id, { limit: 5 });
      expect(incident.closedAt).toBe(new Date(START).toISOString());
      expect((await store.getCheck(ENTITY, check.id))!.alertDueAtMs).toBe(
        START,
      );

      // More failures in the window change nothing and open nothing.
      expect(
        await store.applyProbes([
          apply(check, START + MINUTE, 'failure'),
          apply(check, END - 1, 'failure'),
        ]),
      ).toEqual([
        { entityRef: ENTITY, changed: false },
        { entityRef: ENTITY, changed: false },
      ]);
      expect(await standingOf(check)).toEqual(IN_MAINTENANCE);
      expect(await store.openIncidents([check.id])).toEqual(new Map());
      expect(await store.listIncidents(check.id, { limit: 5 })).toHaveLength(1);

      // The window's end is not in it: a first success is ok at once.
      expect(await store.applyProbes([apply(check, END, 'success')])).toEqual([
        { entityRef: ENTITY, changed: true },
      ]);
      expect(await standingOf(check)).toMatchObject({ state: 'ok' });

      expect(await samplesOf(check)).toEqual([
        [START - 3 * MINUTE, false],
        [START - 2 * MINUTE, false],
        [START - MINUTE, false],
        [START, true],
        [START + MINUTE, true],
        [END - 1, true],
        [END, false],
      ]);
    });

    it('needs the failure threshold after a window, as from unknown', async () => {
      const check = await store.createCheck(
        newHealthCheck({ entityRef: ENTITY, failureThreshold: 2 }),
      );
      await windows.create(ENTITY, check.id, ONE_HOUR, 'user:default/alice');

      // One batch: a failure in the window, then two after it.
      expect(
        await store.applyProbes([
          apply(check, START + MINUTE, 'failure'),
          apply(check, END, 'failure'),
          apply(check, END + MINUTE, 'failure'),
        ]),
      ).toEqual([
        { entityRef: ENTITY, changed: true },
        { entityRef: ENTITY, changed: true },
        { entityRef: ENTITY, changed: true },
      ]);
      const incidents = await store.listIncidents(check.id, { limit: 5 });
      expect(incidents).toEqual([
        expect.objectContaining({
          state: 'down',
          openedAt: new Date(END + MINUTE).toISOString(),
          closedAt: null,
        }),
      ]);
      expect(await standingOf(check)).toEqual({
        state: 'down',
        consecutiveFailures: 2,
        consecutiveBad: 2,
        consecutiveSuccesses: 0,
      });
    });

    it('leaves checks without a window alone in the same batch', async () => {
      const planned = await store.createCheck(
        newHealthCheck({ entityRef: ENTITY, failureThreshold: 1 }),
      );
      const other = await store.createCheck(
        newHealthCheck({ entityRef: ENTITY, name: 'api', failureThreshold: 1 }),
      );
      await windows.create(ENTITY, planned.id, ONE_HOUR, 'user:default/alice');

      await store.applyProbes([
        apply(planned, START, 'failure'),
        apply(other, START, 'failure'),
      ]);
      expect(await standingOf(planned)).toEqual(IN_MAINTENANCE);
      expect((await standingOf(other)).state).toBe('down');
      expect([
        ...(await store.openIncidents([planned.id, other.id])).keys(),
      ]).toEqual([other.id]);
      expect(await samplesOf(other)).toEqual([[START, false]]);
    });

    it('follows a weekly window across a daylight saving change', async () => {
      const check = await store.createCheck(
        newHealthCheck({ entityRef: ENTITY, failureThreshold: 1 }),
      );
      // Sundays 01:00 to 04:00 Berlin time (03:00 to 05:00 on the day the
      // clocks go forward: three hours elapsed).
      await windows.create(
        ENTITY,
        check.id,
        {
          kind: 'weekly',
          days: ['sun'],
          startTime: '01:00',
          durationMinutes: 180,
          timeZone: 'Europe/Berlin',
        },
        'user:default/alice',
      );
      const probes = [
        // Saturday 23:59 CET, before the window.
        ['2026-03-28T22:59:00Z', 'success'],
        // 01:00 CET: in.
        ['2026-03-29T00:00:00Z', 'failure'],
        // 04:59 CEST, still in: three hours from 00:00Z.
        ['2026-03-29T02:59:00Z', 'failure'],
        // 05:00 CEST: out.
        ['2026-03-29T03:00:00Z', 'failure'],
        // A week later 01:00 CEST is 23:00Z on Saturday: in again.
        ['2026-04-04T23:00:00Z', 'failure'],
      ] as const;
      for (const [iso, outcome] of probes) {
        await store.applyProbes([apply(check, Date.parse(iso), outcome)]);
      }
      expect(await samplesOf(check)).toEqual(
        probes.map(([iso], i) => [Date.parse(iso), [1, 2, 4].includes(i)]),
      );
      const incidents = await store.listIncidents(check.id, { limit: 5 });
      expect(incidents).toEqual([
        expect.objectContaining({
          openedAt: '2026-03-29T03:00:00.000Z',
          closedAt: '2026-04-04T23:00:00.000Z',
        }),
      ]);
      expect(await standingOf(check)).toEqual(IN_MAINTENANCE);
    });
  },
);
