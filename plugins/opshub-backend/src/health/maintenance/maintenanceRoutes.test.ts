import request from 'supertest';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import type { NewHealthCheck, StoredHealthCheck } from '../HealthStore';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import {
  as,
  BASE,
  ENTITY,
  healthRoutesApp,
  maintainer,
  OTHER,
} from '../__testUtils__/healthRoutesApp';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const OTHER_BASE = '/entities/component/default/billing/health';
/** Tuesday 2026-12-01 12:00Z, 13:00 in Berlin. */
const NOW = Date.parse('2026-12-01T12:00:00Z');

/** Sundays 01:00 to 04:00 in Berlin. */
const SUNDAY_NIGHTS = {
  kind: 'weekly',
  days: ['sun'],
  startTime: '01:00',
  durationMinutes: 180,
  timeZone: 'Europe/Berlin',
  reason: 'Backups',
};
/** Today 12:30 to 14:00 in Berlin: 11:30Z to 13:00Z, open now. */
const RELEASE = {
  kind: 'once',
  startsAt: '2026-12-01T12:30',
  endsAt: '2026-12-01T14:00',
  timeZone: 'Europe/Berlin',
};

describe.each(databases.eachSupportedId())(
  'the maintenance routes on %s',
  id => {
    async function app() {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const clock = { now: NOW };
      const { server, store, changed, events, activityOf } = healthRoutesApp(
        knex,
        { now: () => clock.now },
      );
      const check = (entityRef: string, extra: Partial<NewHealthCheck> = {}) =>
        store.createCheck(
          newHealthCheck({ entityRef, createdBy: 'test', ...extra }),
        );
      const add = (
        target: StoredHealthCheck,
        body: object,
        headers = maintainer,
        base = BASE,
      ) =>
        request(server)
          .post(`${base}/checks/${target.id}/maintenance`)
          .set(headers)
          .send(body);
      const remove = (
        target: StoredHealthCheck | string,
        windowId: string,
        headers = maintainer,
        base = BASE,
      ) =>
        request(server)
          .delete(
            `${base}/checks/${
              typeof target === 'string' ? target : target.id
            }/maintenance/${windowId}`,
          )
          .set(headers);
      const health = async () =>
        (await request(server).get(BASE).set(maintainer).expect(200)).body;
      return {
        store,
        clock,
        changed,
        events,
        check,
        add,
        remove,
        health,
        activityOf,
      };
    }

    it('adds windows to a check, audits them, tells the entity changed and shows them with the check, in maintenance while one is open', async () => {
      const { store, check, add, health, changed, events, activityOf } =
        await app();
      const home = await check(ENTITY);
      // Down, with an incident, before the windows.
      await store.recordProbes([
        {
          checkId: home.id,
          entityRef: ENTITY,
          result: {
            outcome: 'failure',
            startedAt: new Date(NOW - 60_000),
            latencyMs: 10,
            statusCode: 503,
            errorClass: 'status',
            message: null,
          },
          standing: {
            state: 'down',
            consecutiveFailures: 3,
            consecutiveBad: 3,
            consecutiveSuccesses: 0,
          },
          incident: { action: 'open', state: 'down', errorClass: 'status' },
        },
      ]);
      expect((await health()).state).toBe('down');

      const weekly = await add(home, SUNDAY_NIGHTS);
      expect(weekly.status).toBe(201);
      expect(weekly.body).toEqual({
        ...SUNDAY_NIGHTS,
        id: expect.stringMatching(/^\d+$/),
        checkId: home.id,
        createdBy: 'user:default/maintainer',
        createdAt: new Date(NOW).toISOString(),
      });
      // Not open on a Tuesday.
      expect((await health()).state).toBe('down');

      const once = await add(home, RELEASE);
      expect(once.status).toBe(201);
      expect(once.body).toMatchObject({ ...RELEASE, reason: null });

      const shown = await health();
      expect(shown.state).toBe('maintenance');
      expect(shown.checks).toEqual([
        expect.objectContaining({
          id: home.id,
          state: 'maintenance',
          maintenance: [weekly.body, once.body],
          // Closed by the next probe, in the window.
          openIncident: expect.objectContaining({ state: 'down' }),
        }),
      ]);

      expect(changed.mock.calls).toEqual([[ENTITY], [ENTITY]]);
      expect(events).toEqual([
        {
          eventId: 'health-maintenance-create',
          meta: { entityRef: ENTITY, checkId: home.id, kind: 'weekly' },
        },
        {
          eventId: 'health-maintenance-create',
          meta: { entityRef: ENTITY, checkId: home.id, kind: 'once' },
        },
      ]);
      expect(await activityOf()).toEqual([
        [
          'health-maintenance-create',
          { checkId: home.id, kind: 'once', windowId: once.body.id },
        ],
        [
          'health-maintenance-create',
          { checkId: home.id, kind: 'weekly', windowId: weekly.body.id },
        ],
      ]);
    });

    it('shows maintenance by local time across a daylight saving change, and drops a one-off window once it ended', async () => {
      const { clock, check, add, health } = await app();
      const home = await check(ENTITY);
      expect((await add(home, SUNDAY_NIGHTS)).status).toBe(201);
      expect((await add(home, RELEASE)).status).toBe(201);

      const at = async (iso: string) => {
        clock.now = Date.parse(iso);
        const shown = await health();
        return [shown.state, shown.checks[0].maintenance.length];
      };
      // The one-off window ends at 13:00Z; a probe never came: unknown.
      expect(await at('2026-12-01T12:59:59Z')).toEqual(['maintenance', 2]);
      expect(await at('2026-12-01T13:00:00Z')).toEqual(['unknown', 1]);
      // Sunday 01:00 Berlin is 00:00Z in winter; on 2027-03-28 the clocks
      // go forward at 01:00Z and the window still lasts three hours.
      expect(await at('2027-03-27T23:59:59Z')).toEqual(['unknown', 1]);
      expect(await at('2027-03-28T00:00:00Z')).toEqual(['maintenance', 1]);
      expect(await at('2027-03-28T02:59:59Z')).toEqual(['maintenance', 1]);
      expect(await at('2027-03-28T03:00:00Z')).toEqual(['unknown', 1]);
      // In summer 01:00 Berlin is 23:00Z on Saturday.
      expect(await at('2027-04-03T22:59:59Z')).toEqual(['unknown', 1]);
      expect(await at('2027-04-03T23:00:00Z')).toEqual(['maintenance', 1]);
    });

    it('plans windows for annotation checks too', async () => {
      const { check, add } = await app();
      const annotated = await check(ENTITY, { source: 'annotation' });
      expect((await add(annotated, SUNDAY_NIGHTS)).status).toBe(201);
    });

    it('refuses invalid windows with 400s before auditing, unknown checks and other entities with 404s and viewers with 403s, adding nothing', async () => {
      const { check, add, events, changed, health } = await app();
      const home = await check(ENTITY);
      const billing = await check(OTHER);
      const cases: Array<[object, RegExp]> = [
        [{ ...RELEASE, timeZone: 'CET+1' }, /timeZone: must be an IANA/],
        [{ ...RELEASE, endsAt: '2026-12-01T12:00' }, /endsAt: must be after/],
        [
          {
            ...RELEASE,
            startsAt: '2026-12-01T10:00',
            endsAt: '2026-12-01T13:00',
          },
          /endsAt: must be in the future/,
        ],
        [{ ...SUNDAY_NIGHTS, days: ['sun', 'sun'] }, /days: must not repeat/],
        [{ ...SUNDAY_NIGHTS, durationMinutes: 0 }, /durationMinutes: /],
        [{ ...SUNDAY_NIGHTS, reason: 'r'.repeat(501) }, /reason: /],
        [{ kind: 'weekly' }, /days: /],
      ];
      for (const [body, message] of cases) {
        const res = await add(home, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }

      expect((await add(billing, SUNDAY_NIGHTS)).status).toBe(404);
      expect((await add({ ...home, id: '999999' }, SUNDAY_NIGHTS)).status).toBe(
        404,
      );
      expect(
        (await add(home, SUNDAY_NIGHTS, as('user:default/viewer'))).status,
      ).toBe(403);
      expect(
        (await add(home, SUNDAY_NIGHTS, maintainer, OTHER_BASE)).status,
      ).toBe(404);

      expect((await health()).checks[0].maintenance).toEqual([]);
      // Failed mutations are audited as failures, never as windows.
      expect(events.map(e => e.eventId)).toEqual([
        'health-maintenance-create',
        'health-maintenance-create',
        'health-maintenance-create',
      ]);
      expect(changed).not.toHaveBeenCalled();
    });

    it('deletes a window only through its own check and entity, 404 otherwise', async () => {
      const { check, add, remove, health, events, changed, activityOf } =
        await app();
      const home = await check(ENTITY);
      const api = await check(ENTITY, { name: 'api' });
      const windowsOfHome = async () =>
        (await health()).checks.find((c: { id: string }) => c.id === home.id)
          .maintenance;
      const window = (await add(home, SUNDAY_NIGHTS)).body;
      changed.mockClear();

      expect((await remove(api, window.id)).status).toBe(404);
      expect(
        (await remove(home, window.id, maintainer, OTHER_BASE)).status,
      ).toBe(404);
      expect((await remove('999999', window.id)).status).toBe(404);
      expect((await remove(home, '999999')).status).toBe(404);
      expect((await remove(home, 'latest')).status).toBe(400);
      expect(
        (await remove(home, window.id, as('user:default/viewer'))).status,
      ).toBe(403);
      expect(changed).not.toHaveBeenCalled();
      expect(await windowsOfHome()).toEqual([window]);

      expect((await remove(home, window.id)).status).toBe(204);
      expect(changed.mock.calls).toEqual([[ENTITY]]);
      expect(await windowsOfHome()).toEqual([]);
      expect((await remove(home, window.id)).status).toBe(404);
      expect(events.at(-2)).toEqual({
        eventId: 'health-maintenance-delete',
        meta: { entityRef: ENTITY, checkId: home.id, windowId: window.id },
      });
      expect((await activityOf())[0]).toEqual([
        'health-maintenance-delete',
        { checkId: home.id, windowId: window.id },
      ]);
    });
  },
);
