import type { OpsHubMaintenanceWindowInput } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { DatabaseMaintenanceWindows } from './DatabaseMaintenanceWindows';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const ENTITY = 'component:default/storefront';
const OTHER = 'component:default/billing';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ALICE = 'user:default/alice';

/** Sundays 01:00 to 04:00 in Berlin. */
const SUNDAY_NIGHTS: OpsHubMaintenanceWindowInput = {
  kind: 'weekly',
  days: ['sun'],
  startTime: '01:00',
  durationMinutes: 180,
  timeZone: 'Europe/Berlin',
  reason: 'Backups',
};
/** 2026-12-01 13:00 to 15:00 in Berlin: 12:00Z to 14:00Z. */
const THIS_AFTERNOON: OpsHubMaintenanceWindowInput = {
  kind: 'once',
  startsAt: '2026-12-01T13:00',
  endsAt: '2026-12-01T15:00',
  timeZone: 'Europe/Berlin',
};

describe.each(databases.eachSupportedId())(
  'DatabaseMaintenanceWindows on %s',
  id => {
    let knex: Knex;
    let now: number;
    let windows: DatabaseMaintenanceWindows;
    let checkId: string;
    let otherCheckId: string;

    beforeEach(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      now = NOW;
      windows = new DatabaseMaintenanceWindows(knex, { now: () => now });
      const checks = new DatabaseHealthStore(knex);
      checkId = (
        await checks.createCheck(newHealthCheck({ entityRef: ENTITY }))
      ).id;
      otherCheckId = (
        await checks.createCheck(newHealthCheck({ entityRef: OTHER }))
      ).id;
    });

    it('creates weekly and one-off windows and lists them by check', async () => {
      const weekly = await windows.create(
        ENTITY,
        checkId,
        SUNDAY_NIGHTS,
        ALICE,
      );
      const once = await windows.create(ENTITY, checkId, THIS_AFTERNOON, ALICE);
      expect(weekly).toEqual({
        ...SUNDAY_NIGHTS,
        id: expect.stringMatching(/^\d+$/),
        checkId,
        createdBy: ALICE,
        createdAt: new Date(NOW).toISOString(),
      });
      expect(once).toEqual({
        ...THIS_AFTERNOON,
        id: expect.stringMatching(/^\d+$/),
        checkId,
        reason: null,
        createdBy: ALICE,
        createdAt: new Date(NOW).toISOString(),
      });

      const listed = await windows.listForChecks(
        [checkId, otherCheckId, 'not-an-id'],
        NOW,
      );
      expect([...listed.keys()]).toEqual([checkId]);
      expect(listed.get(checkId)).toEqual([weekly, once]);
    });

    it('creates no window for a check of another entity or no check', async () => {
      expect(
        await windows.create(OTHER, checkId, SUNDAY_NIGHTS, ALICE),
      ).toBeUndefined();
      expect(
        await windows.create(ENTITY, '999999', SUNDAY_NIGHTS, ALICE),
      ).toBeUndefined();
      expect(
        await windows.create(ENTITY, 'abc', SUNDAY_NIGHTS, ALICE),
      ).toBeUndefined();
      expect(await knex('health_maintenance_windows')).toEqual([]);
    });

    it('deletes a window only through its own check and entity', async () => {
      const window = (await windows.create(
        ENTITY,
        checkId,
        SUNDAY_NIGHTS,
        ALICE,
      ))!;
      expect(await windows.delete(OTHER, checkId, window.id)).toBe(false);
      expect(await windows.delete(OTHER, otherCheckId, window.id)).toBe(false);
      expect(await windows.delete(ENTITY, otherCheckId, window.id)).toBe(false);
      expect(await windows.delete(ENTITY, checkId, 'x')).toBe(false);
      expect(
        (await windows.listForChecks([checkId], NOW)).get(checkId),
      ).toEqual([window]);

      expect(await windows.delete(ENTITY, checkId, window.id)).toBe(true);
      expect(await windows.delete(ENTITY, checkId, window.id)).toBe(false);
      expect((await windows.listForChecks([checkId], NOW)).size).toBe(0);
    });

    it('lists a one-off window until it ends, and drops it a day after when the check gets a new one', async () => {
      const once = (await windows.create(
        ENTITY,
        checkId,
        THIS_AFTERNOON,
        ALICE,
      ))!;
      const end = Date.parse('2026-12-01T14:00:00Z');
      expect(
        (await windows.listForChecks([checkId], end - 1)).get(checkId),
      ).toEqual([once]);
      expect((await windows.listForChecks([checkId], end)).size).toBe(0);

      // Ended less than a day ago: kept.
      now = end + DAY - 1;
      await windows.create(ENTITY, checkId, SUNDAY_NIGHTS, ALICE);
      expect(
        await knex('health_maintenance_windows').where({ id: once.id }),
      ).toHaveLength(1);
      // Ended a day ago: gone.
      now = end + DAY + 1;
      await windows.create(ENTITY, checkId, SUNDAY_NIGHTS, ALICE);
      expect(
        await knex('health_maintenance_windows').where({ id: once.id }),
      ).toHaveLength(0);
      expect(
        await knex('health_maintenance_windows').where({ check_id: checkId }),
      ).toHaveLength(2);
    });

    it('tells which checks are in maintenance at an instant, across a daylight saving change', async () => {
      await windows.create(ENTITY, checkId, SUNDAY_NIGHTS, ALICE);
      await windows.create(OTHER, otherCheckId, THIS_AFTERNOON, ALICE);
      const both = [checkId, otherCheckId];

      expect(await windows.inMaintenance(both, NOW - 1)).toEqual(new Set());
      expect(await windows.inMaintenance(both, NOW)).toEqual(
        new Set([otherCheckId]),
      );
      expect(
        await windows.inMaintenance(both, Date.parse('2026-12-01T14:00:00Z')),
      ).toEqual(new Set());
      // Sunday 01:00 Berlin: 00:00Z in winter, 23:00Z on Saturday in summer.
      for (const open of [
        '2026-12-06T00:00:00Z',
        '2026-03-29T00:00:00Z',
        '2026-04-04T23:00:00Z',
      ]) {
        expect(await windows.inMaintenance(both, Date.parse(open))).toEqual(
          new Set([checkId]),
        );
      }
      expect(
        await windows.inMaintenance(both, Date.parse('2026-04-05T02:00:00Z')),
      ).toEqual(new Set());
      expect(await windows.inMaintenance([], NOW)).toEqual(new Set());
    });

    it('goes with its check', async () => {
      await windows.create(ENTITY, checkId, SUNDAY_NIGHTS, ALICE);
      await new DatabaseHealthStore(knex).deleteCheck(ENTITY, checkId);
      expect(
        await knex('health_maintenance_windows').where({ check_id: checkId }),
      ).toHaveLength(0);
    });
  },
);
