import type {
  OpsHubHealthErrorClass,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';
import express from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseHealthStore } from './DatabaseHealthStore';
import { firstProbeAtMs } from './firstProbe';
import type {
  HealthStanding,
  IncidentChange,
  NewHealthCheck,
  StoredHealthCheck,
} from './HealthStore';
import { newHealthCheck } from './__testUtils__/checkFixtures';
import { useConnectionGuard } from './__testUtils__/connectionGuard';
import {
  as,
  BASE,
  ENTITY,
  healthRoutesApp,
  maintainer,
  OTHER,
} from './__testUtils__/healthRoutesApp';

jest.setTimeout(60_000);

const databases = createTestDatabases();
// Every connect outside 127.0.0.1 and ::1 fails the test.
useConnectionGuard();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;

/** A PATCH and a DELETE of the check are both 409s with `message`. */
async function expectChangesRefused(
  server: express.Express,
  checkId: string,
  message: string,
) {
  for (const res of [
    await request(server)
      .patch(`${BASE}/checks/${checkId}`)
      .set(maintainer)
      .send({ intervalMs: 20_000 }),
    await request(server).delete(`${BASE}/checks/${checkId}`).set(maintainer),
  ]) {
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(message);
  }
}

/** An API check of `entityRef` as the store takes it. */
const newCheck = (
  entityRef: string,
  name: string,
  extra: Partial<NewHealthCheck> = {},
): NewHealthCheck =>
  newHealthCheck({
    entityRef,
    name,
    url: `https://${name}.example/healthz`,
    createdBy: 'test',
    ...extra,
  });

describe.each(databases.eachSupportedId())('the health routes on %s', id => {
  let knex: Knex;

  async function app() {
    knex = await databases.init(id);
    await migrateUp(knex);
    const { server, store, changed, events, activityOf } = healthRoutesApp(
      knex,
      { now: () => NOW },
    );
    const create = (body: object) =>
      request(server).post(`${BASE}/checks`).set(maintainer).send(body);
    return { server, store, changed, events, create, activityOf };
  }

  /** Records one probe of `check` at `atMs` with the standing it leads to. */
  async function probe(
    store: DatabaseHealthStore,
    check: StoredHealthCheck,
    atMs: number,
    outcome: OpsHubProbeOutcome,
    standing: Partial<HealthStanding> & Pick<HealthStanding, 'state'>,
    incident: IncidentChange = null,
  ) {
    const failed = outcome === 'failure';
    const errorClass: OpsHubHealthErrorClass | null = failed ? 'status' : null;
    await store.recordProbes([
      {
        checkId: check.id,
        entityRef: check.entityRef,
        result: {
          outcome,
          startedAt: new Date(atMs),
          latencyMs: 120,
          statusCode: failed ? 503 : 200,
          errorClass,
          message: failed ? 'status 503 not in 200-299' : null,
        },
        standing: {
          consecutiveFailures: 0,
          consecutiveBad: 0,
          consecutiveSuccesses: 0,
          ...standing,
        },
        incident,
      },
    ]);
  }

  it('creates a check with the defaults filled, audits it, tells the entity changed and schedules its first probe within 10 s', async () => {
    const { create, store, changed, events, activityOf } = await app();

    const res = await create({
      name: 'storefront',
      url: 'https://storefront.example/healthz',
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      entityRef: ENTITY,
      source: 'api',
      name: 'storefront',
      url: 'https://storefront.example/healthz',
      method: 'GET',
      expectedStatus: '200-299',
      bodyContains: null,
      jsonPath: null,
      timeoutMs: 10_000,
      intervalMs: 60_000,
      degradedLatencyMs: null,
      failureThreshold: 3,
      recoveryThreshold: 2,
      enabled: true,
      headers: {},
      certExpiryDays: null,
      alertCooldownMs: 900_000,
      reminderIntervalMs: 14_400_000,
      previewId: null,
      maintenance: [],
      configError: null,
      state: 'unknown',
      lastProbeAt: null,
      lastLatencyMs: null,
      lastStatusCode: null,
      lastErrorClass: null,
      lastErrorMessage: null,
      uptime: { day: null, week: null, month: null },
      openIncident: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const checkId = res.body.id;
    const stored = await store.getCheck(ENTITY, checkId);
    expect(stored?.nextProbeAtMs).toBe(firstProbeAtMs(checkId, 60_000, NOW));
    expect(stored?.nextProbeAtMs).toBeGreaterThanOrEqual(NOW);
    expect(stored?.nextProbeAtMs).toBeLessThan(NOW + 10_000);
    expect(stored?.createdBy).toBe('user:default/maintainer');

    expect(changed.mock.calls).toEqual([[ENTITY]]);
    expect(events).toEqual([
      {
        eventId: 'health-check-create',
        meta: { entityRef: ENTITY, name: 'storefront' },
      },
    ]);
    expect(await activityOf()).toEqual([
      ['health-check-create', { name: 'storefront', checkId }],
    ]);

    // Every field given; a disabled check is not scheduled.
    const full = {
      name: 'orders api',
      url: 'http://orders.example:8080/status?deep=1',
      method: 'GET',
      expectedStatus: '200, 204,301-302',
      bodyContains: 'ok',
      jsonPath: { path: '$.status', equals: 'up' },
      timeoutMs: 5_000,
      intervalMs: 10_000,
      degradedLatencyMs: 800,
      failureThreshold: 1,
      recoveryThreshold: 5,
      enabled: false,
    };
    const disabled = await create(full);
    expect(disabled.status).toBe(201);
    expect(disabled.body).toMatchObject(full);
    expect(
      (await store.getCheck(ENTITY, disabled.body.id))?.nextProbeAtMs,
    ).toBeNull();
  });

  it('refuses invalid checks with 400s that say what is wrong, creating nothing', async () => {
    const { server, create, changed, activityOf } = await app();
    const valid = { name: 'api', url: 'https://api.example/healthz' };
    const cases: Array<[object, RegExp]> = [
      [
        { ...valid, url: 'ftp://api.example/' },
        /url: must be an http\(s\) URL/,
      ],
      [{ ...valid, url: 'not a url' }, /url: must be an http\(s\) URL/],
      [
        { ...valid, url: 'http://127.0.0.1:7007/healthz' },
        /url: 127\.0\.0\.1 is loopback.*opshub\.health\.allowedNetworks/,
      ],
      [
        { ...valid, url: 'http://169.254.169.254/latest/meta-data/' },
        /url: 169\.254\.169\.254 is link-local/,
      ],
      [{ ...valid, url: 'http://[::ffff:127.0.0.1]/' }, /url: .*loopback/],
      [
        { ...valid, url: 'https://user:secret@api.example/' },
        /url: must not contain a user name or password/,
      ],
      [{ ...valid, url: `https://api.example/${'a'.repeat(2048)}` }, /url: /],
      [
        { ...valid, intervalMs: 5_000 },
        /intervalMs: must be at least 10000 ms \(opshub\.health\.minInterval\)/,
      ],
      [{ ...valid, intervalMs: 25 * HOUR }, /intervalMs: must be at most/],
      [{ ...valid, intervalMs: 10_000.5 }, /intervalMs: /],
      [{ ...valid, expectedStatus: 'ok' }, /expectedStatus: expected status/],
      [{ ...valid, expectedStatus: '299-200' }, /expectedStatus: /],
      [{ ...valid, method: 'POST' }, /method: /],
      [{ ...valid, timeoutMs: 99 }, /timeoutMs: /],
      [{ ...valid, timeoutMs: 60_001 }, /timeoutMs: /],
      [
        { ...valid, degradedLatencyMs: 10_000 },
        /degradedLatencyMs \(10000\) must be less than timeoutMs \(10000\)/,
      ],
      [{ ...valid, degradedLatencyMs: 0 }, /degradedLatencyMs: /],
      [
        { ...valid, method: 'HEAD', bodyContains: 'ok' },
        /a HEAD check reads no body: bodyContains and jsonPath need method GET/,
      ],
      [
        { ...valid, method: 'HEAD', jsonPath: { path: '$.ok', equals: true } },
        /a HEAD check reads no body/,
      ],
      [{ ...valid, failureThreshold: 0 }, /failureThreshold: /],
      [{ ...valid, recoveryThreshold: 101 }, /recoveryThreshold: /],
      [{ ...valid, bodyContains: 'x'.repeat(1025) }, /bodyContains: /],
      [
        { ...valid, jsonPath: { path: 'status', equals: 'up' } },
        /jsonPath\.path: /,
      ],
      [{ ...valid, jsonPath: { path: '$.status' } }, /jsonPath\.equals: /],
      [
        { ...valid, jsonPath: { path: '$.a', equals: { nested: true } } },
        /jsonPath\.equals: /,
      ],
      [{ ...valid, enabled: 'yes' }, /enabled: /],
      [{ ...valid, name: '' }, /name: /],
      [{ ...valid, name: 'n'.repeat(101) }, /name: /],
      [{ url: valid.url }, /name: /],
      [{ ...valid, headers: { Authorization: 'x' } }, /headers/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect({ body, status: res.status, name: res.body.error?.name }).toEqual({
        body,
        status: 400,
        name: 'InputError',
      });
      expect(res.body.error.message).toMatch(message);
    }
    const notJson = await request(server)
      .post(`${BASE}/checks`)
      .set(maintainer)
      .type('application/json')
      .send('{"name":');
    expect(notJson.status).toBe(400);

    const health = await request(server).get(BASE).set(maintainer);
    expect(health.body).toEqual({
      state: 'unknown',
      checks: [],
      previews: [],
    });
    expect(changed).not.toHaveBeenCalled();
    expect(await activityOf()).toEqual([]);
  });

  it('refuses a name the entity already uses with 409, on create and rename', async () => {
    const { server, create } = await app();
    expect(
      (await create({ name: 'api', url: 'https://a.example/' })).status,
    ).toBe(201);
    const again = await create({ name: 'api', url: 'https://b.example/' });
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ConflictError');

    const other = await create({ name: 'web', url: 'https://c.example/' });
    const rename = await request(server)
      .patch(`${BASE}/checks/${other.body.id}`)
      .set(maintainer)
      .send({ name: 'api' });
    expect(rename.status).toBe(409);
    // Another entity may use the name.
    const billing = await request(server)
      .post('/entities/component/default/billing/health/checks')
      .set(maintainer)
      .send({ name: 'api', url: 'https://billing.example/' });
    expect(billing.status).toBe(201);
  });

  it('changes a check, rescheduling it only when what is probed or when changes', async () => {
    const { server, create, store, changed, activityOf } = await app();
    const created = await create({
      name: 'api',
      url: 'https://api.example/healthz',
      intervalMs: 30_000,
    });
    const checkId: string = created.body.id;
    const patch = (body: object) =>
      request(server)
        .patch(`${BASE}/checks/${checkId}`)
        .set(maintainer)
        .send(body);
    const nextProbe = async () =>
      (await store.getCheck(ENTITY, checkId))?.nextProbeAtMs;
    // The scheduler has moved it on since.
    await store.updateCheck(ENTITY, checkId, { nextProbeAtMs: NOW + HOUR });

    const renamed = await patch({
      name: 'api v2',
      expectedStatus: '200',
      degradedLatencyMs: 500,
      jsonPath: { path: "$['status']", equals: true },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id: checkId,
      name: 'api v2',
      expectedStatus: '200',
      degradedLatencyMs: 500,
      jsonPath: { path: "$['status']", equals: true },
      url: 'https://api.example/healthz',
      intervalMs: 30_000,
      uptime: { day: null, week: null, month: null },
      openIncident: null,
    });
    expect(await nextProbe()).toBe(NOW + HOUR);

    // The same URL again is no change of schedule either.
    await patch({ url: 'https://api.example/healthz' });
    expect(await nextProbe()).toBe(NOW + HOUR);

    await patch({ intervalMs: 120_000 });
    expect(await nextProbe()).toBe(firstProbeAtMs(checkId, 120_000, NOW));
    await store.updateCheck(ENTITY, checkId, { nextProbeAtMs: NOW + HOUR });
    await patch({ url: 'https://api.example/v2/healthz' });
    expect(await nextProbe()).toBe(firstProbeAtMs(checkId, 120_000, NOW));
    await store.updateCheck(ENTITY, checkId, { nextProbeAtMs: NOW + HOUR });
    // HEAD reads no body: refused while the check asserts on one.
    expect((await patch({ method: 'HEAD' })).body.error.message).toMatch(
      /a HEAD check reads no body/,
    );
    expect(await nextProbe()).toBe(NOW + HOUR);
    await patch({ method: 'HEAD', jsonPath: null });
    expect(await nextProbe()).toBe(firstProbeAtMs(checkId, 120_000, NOW));

    const disabled = await patch({ enabled: false });
    expect(disabled.body.enabled).toBe(false);
    expect(await nextProbe()).toBeNull();
    await patch({ enabled: true });
    expect(await nextProbe()).toBe(firstProbeAtMs(checkId, 120_000, NOW));

    // Checked against the whole check: 500 ms degraded needs a timeout above.
    const tooShort = await patch({ timeoutMs: 500 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.message).toMatch(/less than timeoutMs \(500\)/);
    // Field rules as on create; nothing and unknown fields are 400s.
    for (const body of [
      {},
      { url: 'http://10.0.0.1/' },
      { intervalMs: 1_000 },
      { expectedStatus: '700' },
      { state: 'ok' },
      { name: null },
    ]) {
      const res = await patch(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect(
      (await patch({ url: 'http://10.0.0.1/' })).body.error.message,
    ).toMatch(
      /url: 10\.0\.0\.1 is private.*opshub\.health\.allowPrivateNetworks/,
    );

    const updates = (await activityOf()).filter(
      ([action]) => action === 'health-check-update',
    );
    expect(updates).toHaveLength(7);
    expect(updates[0]).toEqual([
      'health-check-update',
      { checkId, name: 'api v2' },
    ]);
    // One for the create, one per change that went through.
    expect(changed).toHaveBeenCalledTimes(8);
    expect(new Set(changed.mock.calls.map(c => c[0]))).toEqual(
      new Set([ENTITY]),
    );
  });

  it('deletes a check, with 404 for it afterwards', async () => {
    const { server, create, store, changed, activityOf } = await app();
    const created = await create({ name: 'api', url: 'https://a.example/' });
    const checkId: string = created.body.id;
    const del = () =>
      request(server).delete(`${BASE}/checks/${checkId}`).set(maintainer);

    const res = await del();
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await store.getCheck(ENTITY, checkId)).toBeUndefined();
    expect(
      (await request(server).get(BASE).set(maintainer)).body.checks,
    ).toEqual([]);
    expect(changed).toHaveBeenCalledTimes(2);
    expect((await activityOf())[0]).toEqual([
      'health-check-delete',
      { checkId, name: 'api' },
    ]);

    const again = await del();
    expect(again.status).toBe(404);
    expect(changed).toHaveBeenCalledTimes(2);
  });

  it('keeps annotation checks read-only (409 saying to edit the annotation)', async () => {
    const { server, store, changed } = await app();
    const check = await store.createCheck(
      newCheck(ENTITY, 'health-url', { source: 'annotation' }),
    );
    await expectChangesRefused(
      server,
      check.id,
      "Health check health-url comes from the opshub.dev/health-url annotation: edit the annotation in the entity's catalog-info.yaml",
    );
    expect(await store.getCheck(ENTITY, check.id)).toEqual(check);
    expect(changed).not.toHaveBeenCalled();

    const health = await request(server).get(BASE).set(maintainer);
    expect(health.body.checks).toEqual([
      expect.objectContaining({ id: check.id, source: 'annotation' }),
    ]);
  });

  it("keeps a preview's check out of the API's changes and the entity's state (409)", async () => {
    const { server, store, changed } = await app();
    const check = await store.createCheck(
      newCheck(ENTITY, 'preview-pr-7', {
        source: 'preview',
        url: 'https://web-pr-7.preview.example/',
      }),
    );
    await store.recordProbes(
      [1, 2, 3].map(i => ({
        checkId: check.id,
        entityRef: ENTITY,
        result: {
          outcome: 'failure' as const,
          startedAt: new Date(NOW - i * 1000),
          latencyMs: 5,
          statusCode: 502,
          errorClass: 'status' as const,
          message: null,
        },
        standing: {
          state: 'down' as const,
          consecutiveFailures: i,
          consecutiveBad: i,
          consecutiveSuccesses: 0,
        },
        incident: null,
      })),
    );
    await expectChangesRefused(
      server,
      check.id,
      'Health check preview-pr-7 follows its preview: it comes and goes with it (opshub.health.previews)',
    );
    expect(changed).not.toHaveBeenCalled();

    const health = await request(server).get(BASE).set(maintainer);
    expect(health.body).toMatchObject({
      state: 'unknown',
      checks: [],
      previews: [{ id: check.id, source: 'preview', state: 'down' }],
    });
  });

  it("answers 404 for another entity's check (or none) on every per-check route", async () => {
    const { server, store, changed } = await app();
    const theirs = await store.createCheck(newCheck(OTHER, 'billing'));
    for (const checkId of [theirs.id, '999999']) {
      const path = `${BASE}/checks/${checkId}`;
      const answers = [
        await request(server)
          .patch(path)
          .set(maintainer)
          .send({ name: 'mine now' }),
        await request(server).delete(path).set(maintainer),
        await request(server).get(`${path}/samples`).set(maintainer),
        await request(server).get(`${path}/incidents`).set(maintainer),
        await request(server).get(`${path}/rollups`).set(maintainer),
      ];
      expect(answers.map(a => [a.status, a.body.error?.name])).toEqual(
        Array(5).fill([404, 'NotFoundError']),
      );
    }
    expect(await store.getCheck(OTHER, theirs.id)).toEqual(theirs);
    expect(changed).not.toHaveBeenCalled();
    for (const bad of ['abc', '-1', '1.5', '99999999999']) {
      const res = await request(server)
        .get(`${BASE}/checks/${bad}/samples`)
        .set(maintainer);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });

  it('lets a viewer read but not change', async () => {
    const { server, create } = await app();
    const created = await create({ name: 'api', url: 'https://a.example/' });
    const viewer = as('user:default/viewer');
    const path = `${BASE}/checks/${created.body.id}`;
    expect((await request(server).get(BASE).set(viewer)).status).toBe(200);
    expect(
      (await request(server).get(`${path}/samples`).set(viewer)).status,
    ).toBe(200);
    expect(
      (
        await request(server)
          .post(`${BASE}/checks`)
          .set(viewer)
          .send({ name: 'x', url: 'https://x.example/' })
      ).status,
    ).toBe(403);
    expect(
      (await request(server).patch(path).set(viewer).send({ name: 'y' }))
        .status,
    ).toBe(403);
    expect((await request(server).delete(path).set(viewer)).status).toBe(403);
  });

  it("shows the entity's state as the worst of its enabled checks, each with uptime and open incident", async () => {
    const { server, store } = await app();
    const up = await store.createCheck(newCheck(ENTITY, 'up'));
    const down = await store.createCheck(newCheck(ENTITY, 'down'));
    const fresh = await store.createCheck(newCheck(ENTITY, 'fresh'));
    await store.createCheck(newCheck(OTHER, 'elsewhere'));

    await probe(store, up, NOW - 2 * HOUR, 'failure', {
      state: 'unknown',
      consecutiveFailures: 1,
    });
    await probe(store, up, NOW - HOUR, 'success', {
      state: 'ok',
      consecutiveSuccesses: 1,
    });
    await probe(
      store,
      down,
      NOW - 10 * 60_000,
      'failure',
      { state: 'down', consecutiveFailures: 3, consecutiveBad: 3 },
      { action: 'open', state: 'down', errorClass: 'status' },
    );

    const res = await request(server).get(BASE).set(as('user:default/viewer'));
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('down');
    const byName = Object.fromEntries(
      res.body.checks.map((c: { name: string }) => [c.name, c]),
    );
    expect(Object.keys(byName).sort()).toEqual(['down', 'fresh', 'up']);
    expect(byName.up).toMatchObject({
      id: up.id,
      state: 'ok',
      lastProbeAt: new Date(NOW - HOUR).toISOString(),
      lastLatencyMs: 120,
      lastStatusCode: 200,
      lastErrorClass: null,
      uptime: { day: 0.5, week: 0.5, month: 0.5 },
      openIncident: null,
    });
    expect(byName.down).toMatchObject({
      state: 'down',
      lastStatusCode: 503,
      lastErrorClass: 'status',
      uptime: { day: 0, week: 0, month: 0 },
      openIncident: {
        id: expect.stringMatching(/^\d+$/),
        checkId: down.id,
        state: 'down',
        errorClass: 'status',
        openedAt: new Date(NOW - 10 * 60_000).toISOString(),
        closedAt: null,
      },
    });
    expect(byName.fresh).toMatchObject({
      state: 'unknown',
      lastProbeAt: null,
      uptime: { day: null, week: null, month: null },
      openIncident: null,
    });

    // A disabled check is not probed: its last state no longer counts.
    const patch = (checkId: string, body: object) =>
      request(server)
        .patch(`${BASE}/checks/${checkId}`)
        .set(maintainer)
        .send(body);
    await patch(down.id, { enabled: false });
    expect((await request(server).get(BASE).set(maintainer)).body.state).toBe(
      'unknown',
    );
    await patch(fresh.id, { enabled: false });
    expect((await request(server).get(BASE).set(maintainer)).body.state).toBe(
      'ok',
    );
  });

  it('lists samples newest first since a time, and incidents newest first', async () => {
    const { server, store } = await app();
    const check = await store.createCheck(newCheck(ENTITY, 'api'));
    const times = [NOW - 30 * HOUR, NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR];
    await probe(
      store,
      check,
      times[0],
      'failure',
      { state: 'down', consecutiveFailures: 1 },
      { action: 'open', state: 'down', errorClass: 'status' },
    );
    await probe(
      store,
      check,
      times[1],
      'success',
      { state: 'ok', consecutiveSuccesses: 1 },
      { action: 'close' },
    );
    await probe(
      store,
      check,
      times[2],
      'degraded',
      { state: 'degraded', consecutiveBad: 1 },
      { action: 'open', state: 'degraded', errorClass: null },
    );
    await probe(store, check, times[3], 'success', {
      state: 'degraded',
      consecutiveSuccesses: 1,
    });
    const samples = (query = '') =>
      request(server)
        .get(`${BASE}/checks/${check.id}/samples${query}`)
        .set(as('user:default/viewer'));

    // By default the last 24 hours.
    const day = await samples();
    expect(day.status).toBe(200);
    expect(day.body).toEqual([
      {
        at: new Date(times[3]).toISOString(),
        outcome: 'success',
        latencyMs: 120,
        statusCode: 200,
        errorClass: null,
      },
      expect.objectContaining({
        at: new Date(times[2]).toISOString(),
        outcome: 'degraded',
      }),
      expect.objectContaining({ at: new Date(times[1]).toISOString() }),
    ]);
    const all = await samples(`?since=${NOW - 48 * HOUR}`);
    expect(all.body.map((s: { at: string }) => Date.parse(s.at))).toEqual(
      [...times].reverse(),
    );
    expect(all.body[3]).toEqual({
      at: new Date(times[0]).toISOString(),
      outcome: 'failure',
      latencyMs: 120,
      statusCode: 503,
      errorClass: 'status',
    });
    const iso = await samples(
      `?since=${encodeURIComponent(new Date(times[2]).toISOString())}&limit=1`,
    );
    expect(iso.body.map((s: { at: string }) => Date.parse(s.at))).toEqual([
      times[3],
    ]);
    expect((await samples('?limit=1000')).status).toBe(200);
    for (const query of [
      '?limit=1001',
      '?limit=0',
      '?limit=ten',
      '?since=yesterday',
      '?since=2026-13-01T00:00:00Z',
    ]) {
      const res = await samples(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect((await samples('?limit=1001')).body.error.message).toMatch(
      /limit: must be at most 1000/,
    );

    const incidents = (query = '') =>
      request(server)
        .get(`${BASE}/checks/${check.id}/incidents${query}`)
        .set(as('user:default/viewer'));
    const listed = await incidents();
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        checkId: check.id,
        state: 'degraded',
        errorClass: null,
        openedAt: new Date(times[2]).toISOString(),
        closedAt: null,
      },
      {
        id: expect.stringMatching(/^\d+$/),
        checkId: check.id,
        state: 'down',
        errorClass: 'status',
        openedAt: new Date(times[0]).toISOString(),
        closedAt: new Date(times[1]).toISOString(),
      },
    ]);
    expect((await incidents('?limit=1')).body).toEqual([listed.body[0]]);
    expect((await incidents('?limit=101')).status).toBe(400);
  });
});
