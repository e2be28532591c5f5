import request from 'supertest';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { hourOf } from '../healthRows';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import {
  as,
  BASE,
  ENTITY,
  healthRoutesApp,
  OTHER,
  viewer,
} from '../__testUtils__/healthRoutesApp';
import { DAY, HOUR } from './__testUtils__/samples';

jest.setTimeout(60_000);

const databases = createTestDatabases();
/** A fixed "now", in the middle of an hour. */
const NOW = Date.UTC(2026, 11, 1, 12, 30);
const CURRENT = hourOf(NOW);

describe.each(databases.eachSupportedId())('the rollup route on %s', id => {
  async function app() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const { server, store } = healthRoutesApp(knex, { now: () => NOW });
    const check = await store.createCheck(
      newHealthCheck({ entityRef: ENTITY }),
    );
    const billing = await store.createCheck(
      newHealthCheck({ entityRef: OTHER }),
    );
    // One rollup per check for each of these hours back from the current.
    const hoursBack = [24 * 91, 24 * 8, 24 * 7, 24 * 7 - 1, 30, 1];
    await knex('health_rollups').insert(
      [check, billing].flatMap(c =>
        hoursBack.map(back => ({
          check_id: Number(c.id),
          hour: CURRENT - back,
          count: 120,
          failures: back % 2,
          degraded: 3,
          p50_latency_ms: back,
          p95_latency_ms: 2 * back,
          p99_latency_ms: back === 1 ? null : 3 * back,
        })),
      ),
    );
    const get = (query = '', checkId = check.id, headers = viewer) =>
      request(server)
        .get(`${BASE}/checks/${checkId}/rollups${query}`)
        .set(headers);
    return { get, billing };
  }

  const rollup = (back: number) => ({
    hour: new Date((CURRENT - back) * HOUR).toISOString(),
    count: 120,
    failures: back % 2,
    degraded: 3,
    p50LatencyMs: back,
    p95LatencyMs: 2 * back,
    p99LatencyMs: back === 1 ? null : 3 * back,
  });

  it('lists the rollups of the last 7 days, oldest first', async () => {
    const { get } = await app();
    const res = await get();
    expect(res.status).toBe(200);
    // 7 days back from 12:30 overlaps the hour that began 7 days ago at 12:00.
    expect(res.body).toEqual([
      rollup(24 * 7),
      rollup(24 * 7 - 1),
      rollup(30),
      rollup(1),
    ]);
  });

  it('lists the hours that overlap [from, to), as ISO date-times or epoch ms', async () => {
    const { get } = await app();
    const iso = (ms: number) => new Date(ms).toISOString();
    const from = NOW - 8 * DAY;
    const to = (CURRENT - 30) * HOUR;
    const expected = [rollup(24 * 8), rollup(24 * 7), rollup(24 * 7 - 1)];
    expect((await get(`?from=${iso(from)}&to=${iso(to)}`)).body).toEqual(
      expected,
    );
    expect((await get(`?from=${from}&to=${to}`)).body).toEqual(expected);
    // An hour that starts at `to` is out; one `to` falls in is in.
    expect((await get(`?from=${from}&to=${to + 1}`)).body).toEqual([
      ...expected,
      rollup(30),
    ]);
    // 90 days back from now.
    expect((await get(`?from=${NOW - 90 * DAY}`)).body).toEqual([
      rollup(24 * 8),
      rollup(24 * 7),
      rollup(24 * 7 - 1),
      rollup(30),
      rollup(1),
    ]);
    expect((await get(`?to=${(CURRENT - 24 * 8) * HOUR}`)).body).toEqual([]);
  });

  it('refuses a range backwards, longer than 90 days or not a time', async () => {
    const { get } = await app();
    for (const [query, message] of [
      [`?from=${NOW}&to=${NOW - 1}`, 'from must not be after to'],
      [`?from=${NOW - 90 * DAY - 1}`, 'at most 90 days'],
      ['?from=yesterday', 'from: must be epoch milliseconds or an ISO'],
      ['?to=2026-12-01', 'to: must be epoch milliseconds or an ISO'],
    ]) {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    }
  });

  it("is a 404 for another entity's check or none, a 403 without opshub.health.read", async () => {
    const { get, billing } = await app();
    expect((await get('', billing.id)).status).toBe(404);
    expect((await get('', '999999')).status).toBe(404);
    expect((await get('', 'abc')).status).toBe(400);
    expect((await get('', undefined, as('user:default/stranger'))).status).toBe(
      403,
    );
  });
});
