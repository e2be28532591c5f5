import { ConflictError } from '@backstage/errors';
import type { OpsHubHealthErrorClass } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateDownAll, migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseHealthStore } from './DatabaseHealthStore';
import type {
  HealthStanding,
  IncidentChange,
  NewHealthCheck,
  ProbeRecord,
  StoredHealthCheck,
} from './HealthStore';
import type { ProbeResult } from './probe/types';
import { newHealthCheck } from './__testUtils__/checkFixtures';
import { useConnectionGuard } from './__testUtils__/connectionGuard';
import { DEFAULT_HEALTH_CONFIG } from './healthConfig';
import { deleteExpiredHealthData } from './rollups/healthRetention';
import { rollUpHours } from './rollups/rollUpHours';
import { createChecks, insertSamples } from './rollups/__testUtils__/samples';

jest.setTimeout(60_000);

const databases = createTestDatabases();
// Every connect outside 127.0.0.1 and ::1 fails the test.
useConnectionGuard();

const ENTITY = 'component:default/storefront';
const OTHER = 'component:default/billing';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed "now", in the middle of an hour. */
const NOW = Date.UTC(2026, 11, 1, 12, 30);

function newCheck(overrides: Partial<NewHealthCheck> = {}): NewHealthCheck {
  return newHealthCheck({
    entityRef: ENTITY,
    nextProbeAtMs: NOW + 60_000,
    ...overrides,
  });
}

const standingOf = (
  state: HealthStanding['state'],
  counters: Partial<Omit<HealthStanding, 'state'>> = {},
): HealthStanding => ({
  state,
  consecutiveFailures: 0,
  consecutiveBad: 0,
  consecutiveSuccesses: 0,
  ...counters,
});

function probe(
  check: StoredHealthCheck,
  atMs: number,
  outcome: ProbeResult['outcome'],
  options: {
    latencyMs?: number;
    statusCode?: number | null;
    errorClass?: OpsHubHealthErrorClass | null;
    standing?: HealthStanding;
    incident?: IncidentChange;
  } = {},
): ProbeRecord {
  const failed = outcome === 'failure';
  // By default a failure is a 503 (class status), a success a 200.
  const defaultClass: OpsHubHealthErrorClass | null = failed ? 'status' : null;
  const errorClass =
    options.errorClass === undefined ? defaultClass : options.errorClass;
  const answered = errorClass === null || errorClass === 'status';
  let statusCode = options.statusCode;
  if (statusCode === undefined) {
    if (!answered) statusCode = null;
    else statusCode = failed ? 503 : 200;
  }
  return {
    checkId: check.id,
    entityRef: check.entityRef,
    result: {
      outcome,
      startedAt: new Date(atMs),
      latencyMs: options.latencyMs ?? 40,
      statusCode,
      errorClass,
      message: null,
    },
    standing: options.standing ?? standingOf('ok', { consecutiveSuccesses: 1 }),
    incident: options.incident ?? null,
  };
}

describe.each(databases.eachSupportedId())('DatabaseHealthStore on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return { knex, store: new DatabaseHealthStore(knex) };
  }

  const samplesOf = async (knex: Knex, checkId: string) =>
    Number(
      (
        await knex('health_samples')
          .where({ check_id: Number(checkId) })
          .count({ count: '*' })
      )[0].count,
    );

  it('creates, reads, lists, updates and deletes checks, scoped to their entity', async () => {
    const { knex, store } = await setup();
    const home = await store.createCheck(
      newCheck({
        bodyContains: 'ready',
        jsonPath: { path: '$.status', equals: 'ok' },
        degradedLatencyMs: 800,
      }),
    );
    expect(home).toEqual({
      id: expect.stringMatching(/^\d+$/),
      entityRef: ENTITY,
      source: 'api',
      name: 'home',
      url: 'https://storefront.example.com/healthz',
      method: 'GET',
      expectedStatus: '200-299',
      bodyContains: 'ready',
      jsonPath: { path: '$.status', equals: 'ok' },
      timeoutMs: 10_000,
      intervalMs: 60_000,
      degradedLatencyMs: 800,
      failureThreshold: 3,
      recoveryThreshold: 2,
      enabled: true,
      headers: {},
      certExpiryDays: null,
      alertCooldownMs: 900_000,
      reminderIntervalMs: 14_400_000,
      previewId: null,
      configError: null,
      state: 'unknown',
      consecutiveFailures: 0,
      consecutiveBad: 0,
      consecutiveSuccesses: 0,
      lastProbeAt: null,
      lastLatencyMs: null,
      lastStatusCode: null,
      lastErrorClass: null,
      lastErrorMessage: null,
      nextProbeAtMs: NOW + 60_000,
      alertedState: null,
      lastAlertAtMs: null,
      lastNoticeAtMs: null,
      alertDueAtMs: null,
      createdBy: 'user:default/alice',
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    const api = await store.createCheck(
      newCheck({ name: 'api', method: 'HEAD', expectedStatus: '200,204' }),
    );
    const billing = await store.createCheck(
      newCheck({ entityRef: OTHER, source: 'annotation', nextProbeAtMs: null }),
    );

    expect(await store.getCheck(ENTITY, home.id)).toEqual(home);
    expect((await store.listChecks(ENTITY)).map(c => c.name)).toEqual([
      'api',
      'home',
    ]);
    // Entity refs compare lower case, as the catalog does.
    expect(
      await store.getCheck('Component:default/Storefront', home.id),
    ).toEqual(home);

    // Another entity's check, or no id at all, is not found.
    expect(await store.getCheck(OTHER, home.id)).toBeUndefined();
    expect(await store.getCheck(ENTITY, billing.id)).toBeUndefined();
    for (const bad of ['abc', '0', '-1', '1.5', '99999999999', '']) {
      expect(await store.getCheck(ENTITY, bad)).toBeUndefined();
    }

    expect(
      (await store.listAnnotationChecks()).map(c => [c.entityRef, c.id]),
    ).toEqual([[OTHER, billing.id]]);

    // Another entity's check: undefined, unchanged.
    expect(
      await store.updateCheck(OTHER, home.id, { url: 'https://other.test/' }),
    ).toBeUndefined();
    expect(await store.updateCheck(ENTITY, 'nope', {})).toBeUndefined();
    expect((await store.getCheck(ENTITY, home.id))!.url).toBe(home.url);

    const updated = await store.updateCheck(ENTITY, home.id, {
      url: 'https://storefront.example.com/ready',
      intervalMs: 30_000,
      jsonPath: null,
      bodyContains: null,
      degradedLatencyMs: null,
      enabled: false,
      configError: 'blocked: loopback',
      nextProbeAtMs: null,
    });
    expect(updated).toEqual({
      ...home,
      url: 'https://storefront.example.com/ready',
      intervalMs: 30_000,
      jsonPath: null,
      bodyContains: null,
      degradedLatencyMs: null,
      enabled: false,
      configError: 'blocked: loopback',
      nextProbeAtMs: null,
      updatedAt: expect.any(Date),
    });
    expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(
      home.createdAt.getTime(),
    );
    expect(await store.getCheck(ENTITY, home.id)).toEqual(updated);

    // JSON-path values of every JSON type come back as they went in.
    for (const equals of [3, false, null, 'a "quoted" value'] as const) {
      const changed = await store.updateCheck(ENTITY, api.id, {
        jsonPath: { path: '$.items[0].n', equals },
      });
      expect(changed!.jsonPath).toEqual({ path: '$.items[0].n', equals });
    }

    expect(await store.deleteCheck(OTHER, home.id)).toBe(false);
    expect(await store.deleteCheck(ENTITY, 'nope')).toBe(false);
    expect(await store.deleteCheck(ENTITY, home.id)).toBe(true);
    expect(await store.getCheck(ENTITY, home.id)).toBeUndefined();
    expect(await store.deleteCheck(ENTITY, home.id)).toBe(false);
    expect((await store.listChecks(ENTITY)).map(c => c.name)).toEqual(['api']);
    expect(await store.getCheck(OTHER, billing.id)).toEqual(billing);
    expect(await knex('health_checks').count({ count: '*' })).toEqual([
      { count: id === 'POSTGRES_15' ? '2' : 2 },
    ]);
  });

  it('refuses a name the entity already uses, not one another entity uses', async () => {
    const { store } = await setup();
    const home = await store.createCheck(newCheck({ name: 'home' }));
    const api = await store.createCheck(newCheck({ name: 'api' }));

    const duplicate = store.createCheck(newCheck({ name: 'home' }));
    await expect(duplicate).rejects.toBeInstanceOf(ConflictError);
    await expect(duplicate).rejects.toThrow('named "home"');
    await expect(
      store.createCheck(newCheck({ entityRef: OTHER, name: 'home' })),
    ).resolves.toMatchObject({ entityRef: OTHER, name: 'home' });

    const rename = store.updateCheck(ENTITY, api.id, { name: 'home' });
    await expect(rename).rejects.toBeInstanceOf(ConflictError);
    await expect(rename).rejects.toThrow('named "home"');
    expect((await store.getCheck(ENTITY, api.id))!.name).toBe('api');
    // Its own name is no conflict.
    await expect(
      store.updateCheck(ENTITY, home.id, { name: 'home', timeoutMs: 5_000 }),
    ).resolves.toMatchObject({ name: 'home', timeoutMs: 5_000 });
  });

  it('records a batch of probes: samples, standing and incidents opened, worsened and closed', async () => {
    const { store } = await setup();
    const web = await store.createCheck(newCheck({ name: 'web' }));
    const api = await store.createCheck(newCheck({ name: 'api' }));
    const billing = await store.createCheck(newCheck({ entityRef: OTHER }));
    const t1 = NOW - 3 * 60_000;
    const t2 = NOW - 2 * 60_000;
    const t3 = NOW - 60_000;

    await store.recordProbes([
      probe(web, t1, 'failure', {
        errorClass: 'timeout',
        latencyMs: 10_000.4,
        standing: standingOf('degraded', {
          consecutiveFailures: 3,
          consecutiveBad: 3,
        }),
        incident: { action: 'open', state: 'degraded', errorClass: 'timeout' },
      }),
      probe(api, t1, 'degraded', {
        latencyMs: 912.6,
        standing: standingOf('ok', { consecutiveBad: 1 }),
      }),
      probe(billing, t1, 'success', {
        standing: standingOf('ok', { consecutiveSuccesses: 1 }),
      }),
    ]);

    expect(await store.getCheck(ENTITY, web.id)).toMatchObject({
      state: 'degraded',
      consecutiveFailures: 3,
      consecutiveBad: 3,
      consecutiveSuccesses: 0,
      lastProbeAt: new Date(t1),
      lastLatencyMs: 10_000,
      lastStatusCode: null,
      lastErrorClass: 'timeout',
      // The definition did not change.
      updatedAt: web.updatedAt,
    });
    expect(await store.getCheck(ENTITY, api.id)).toMatchObject({
      state: 'ok',
      consecutiveBad: 1,
      lastLatencyMs: 913,
      lastStatusCode: 200,
      lastErrorClass: null,
    });
    expect(await store.getCheck(OTHER, billing.id)).toMatchObject({
      state: 'ok',
      consecutiveSuccesses: 1,
      lastProbeAt: new Date(t1),
    });
    const since = { sinceMs: 0, limit: 100 };
    expect(await store.listSamples(web.id, since)).toEqual([
      {
        at: new Date(t1).toISOString(),
        outcome: 'failure',
        latencyMs: 10_000,
        statusCode: null,
        errorClass: 'timeout',
      },
    ]);
    expect(await store.listSamples(api.id, since)).toEqual([
      {
        at: new Date(t1).toISOString(),
        outcome: 'degraded',
        latencyMs: 913,
        statusCode: 200,
        errorClass: null,
      },
    ]);
    expect(await store.listSamples(billing.id, since)).toHaveLength(1);

    const [opened] = await store.listIncidents(web.id, { limit: 10 });
    expect(opened).toEqual({
      id: expect.stringMatching(/^\d+$/),
      checkId: web.id,
      state: 'degraded',
      errorClass: 'timeout',
      openedAt: new Date(t1).toISOString(),
      closedAt: null,
    });
    expect(await store.listIncidents(api.id, { limit: 10 })).toEqual([]);

    // degraded → down: the same incident, its worst state now down.
    await store.recordProbes([
      probe(web, t2, 'failure', {
        errorClass: 'connect',
        standing: standingOf('down', {
          consecutiveFailures: 4,
          consecutiveBad: 4,
        }),
        incident: { action: 'worsen', state: 'down' },
      }),
    ]);
    expect(await store.listIncidents(web.id, { limit: 10 })).toEqual([
      { ...opened, state: 'down' },
    ]);
    expect((await store.getCheck(ENTITY, web.id))!.state).toBe('down');

    // Back to ok: closed at the probe's start.
    await store.recordProbes([
      probe(web, t3, 'success', {
        standing: standingOf('ok', { consecutiveSuccesses: 2 }),
        incident: { action: 'close' },
      }),
    ]);
    expect(await store.listIncidents(web.id, { limit: 10 })).toEqual([
      { ...opened, state: 'down', closedAt: new Date(t3).toISOString() },
    ]);
    expect((await store.openIncidents([web.id])).size).toBe(0);
    expect(
      (await store.listSamples(web.id, since)).map(s => [s.at, s.outcome]),
    ).toEqual([
      [new Date(t3).toISOString(), 'success'],
      [new Date(t2).toISOString(), 'failure'],
      [new Date(t1).toISOString(), 'failure'],
    ]);
    expect(await store.recordProbes([])).toBeUndefined();
  });

  it('skips the probes of a check deleted meanwhile, sample and incident alike', async () => {
    const { knex, store } = await setup();
    const kept = await store.createCheck(newCheck({ name: 'kept' }));
    const gone = await store.createCheck(newCheck({ name: 'gone' }));
    await store.recordProbes([probe(gone, NOW - 120_000, 'success')]);
    expect(await samplesOf(knex, gone.id)).toBe(1);

    expect(await store.deleteCheck(ENTITY, gone.id)).toBe(true);
    // Deleting took its samples along (no foreign key on samples).
    expect(await samplesOf(knex, gone.id)).toBe(0);

    await store.recordProbes([
      probe(gone, NOW - 60_000, 'failure', {
        standing: standingOf('down', { consecutiveFailures: 3 }),
        incident: { action: 'open', state: 'down', errorClass: 'status' },
      }),
      probe(kept, NOW - 60_000, 'success'),
      { ...probe(kept, NOW - 30_000, 'success'), checkId: 'not-an-id' },
    ]);
    expect(await samplesOf(knex, gone.id)).toBe(0);
    expect(await knex('health_incidents').count({ count: '*' })).toEqual([
      { count: id === 'POSTGRES_15' ? '0' : 0 },
    ]);
    expect(await store.getCheck(ENTITY, gone.id)).toBeUndefined();
    expect(await samplesOf(knex, kept.id)).toBe(1);
    expect((await store.getCheck(ENTITY, kept.id))!.lastProbeAt).toEqual(
      new Date(NOW - 60_000),
    );
  });

  it('applies probe results: the state machine on the current standing, in order, one answer per probe', async () => {
    const { knex, store } = await setup();
    const check = await store.createCheck(newCheck({ failureThreshold: 2 }));
    const other = await store.createCheck(newCheck({ name: 'other' }));
    const version = check.updatedAt.getTime();
    const apply = (
      target: StoredHealthCheck,
      atMs: number,
      outcome: ProbeResult['outcome'],
      probedVersion = target.updatedAt.getTime(),
    ) => ({
      checkId: target.id,
      version: probedVersion,
      result: probe(target, atMs, outcome).result,
    });

    // unknown → ok, then two failures in one batch → down with an incident.
    expect(await store.applyProbes([apply(check, NOW, 'success')])).toEqual([
      { entityRef: ENTITY, changed: true },
    ]);
    expect(
      await store.applyProbes([
        apply(check, NOW + 1_000, 'failure'),
        apply(other, NOW + 1_000, 'success'),
        apply(check, NOW + 2_000, 'failure'),
      ]),
    ).toEqual([
      { entityRef: ENTITY, changed: false },
      { entityRef: ENTITY, changed: true },
      { entityRef: ENTITY, changed: true },
    ]);
    expect(await store.getCheck(ENTITY, check.id)).toMatchObject({
      state: 'down',
      consecutiveFailures: 2,
      consecutiveBad: 2,
      consecutiveSuccesses: 0,
      lastErrorClass: 'status',
    });
    expect(await store.openIncidents([check.id])).toEqual(
      new Map([
        [
          check.id,
          expect.objectContaining({ state: 'down', errorClass: 'status' }),
        ],
      ]),
    );
    expect(await samplesOf(knex, check.id)).toBe(3);

    // Ignored: a probe of an older version, of a disabled check, of a
    // deleted one; nothing is written for them.
    expect(
      await store.applyProbes([
        apply(check, NOW + 3_000, 'success', version - 1),
        {
          checkId: '999999',
          version,
          result: probe(check, NOW, 'success').result,
        },
      ]),
    ).toEqual([undefined, undefined]);
    const disabled = await store.updateCheck(ENTITY, other.id, {
      enabled: false,
    });
    expect(await store.applyProbes([apply(disabled!, NOW, 'success')])).toEqual(
      [undefined],
    );
    expect(await samplesOf(knex, check.id)).toBe(3);
    expect(await samplesOf(knex, other.id)).toBe(1);

    // Two successes close the incident.
    await store.applyProbes([
      apply(check, NOW + 4_000, 'success'),
      apply(check, NOW + 5_000, 'success'),
    ]);
    expect((await store.getCheck(ENTITY, check.id))!.state).toBe('ok');
    const [incident] = await store.listIncidents(check.id, { limit: 5 });
    expect(incident.closedAt).toBe(new Date(NOW + 5_000).toISOString());
  });

  it("drops a check's waiting probe jobs when it changes or goes, resuming its schedule from the first", async () => {
    const { knex, store } = await setup();
    const check = await store.createCheck(
      newCheck({ nextProbeAtMs: NOW + 60_000 }),
    );
    const other = await store.createCheck(newCheck({ name: 'other' }));
    const job = (checkId: string, runAtMs: number, state = 'queued') => ({
      type: 'health-probe',
      exclusion_group: `health:${checkId}`,
      payload: JSON.stringify({ checkId }),
      state,
      priority: 0,
      attempts: state === 'running' ? 1 : 0,
      max_attempts: 1,
      run_at: new Date(runAtMs),
      created_at: new Date(NOW),
      updated_at: new Date(NOW),
    });
    await knex('jobs').insert([
      job(check.id, NOW + 5_000),
      job(check.id, NOW + 35_000),
      job(check.id, NOW + 1_000, 'running'),
      job(other.id, NOW + 2_000),
    ]);
    const waiting = async () =>
      (
        await knex('jobs').orderBy('run_at').select('exclusion_group', 'state')
      ).map(r => `${r.exclusion_group}:${r.state}`);

    // A rename: the probes enqueued with the old version go; the schedule
    // resumes from the first of them (before its next due time).
    const renamed = await store.updateCheck(ENTITY, check.id, {
      name: 'renamed',
    });
    expect(renamed!.nextProbeAtMs).toBe(NOW + 5_000);
    expect(await waiting()).toEqual([
      `health:${check.id}:running`,
      `health:${other.id}:queued`,
    ]);

    // A change that sets the next due time itself keeps it.
    await knex('jobs').insert(job(check.id, NOW + 7_000));
    const rescheduled = await store.updateCheck(ENTITY, check.id, {
      url: 'https://storefront.example.com/v2',
      nextProbeAtMs: NOW + 9_000,
    });
    expect(rescheduled!.nextProbeAtMs).toBe(NOW + 9_000);
    expect(await waiting()).toHaveLength(2);

    // Deleted: its waiting probes go too; another check's stay.
    await knex('jobs').insert(job(check.id, NOW + 9_000));
    expect(await store.deleteCheck(ENTITY, check.id)).toBe(true);
    expect(await waiting()).toEqual([
      `health:${check.id}:running`,
      `health:${other.id}:queued`,
    ]);
  });

  it('deletes a check with its incidents and samples, leaving other checks alone', async () => {
    const { knex, store } = await setup();
    const gone = await store.createCheck(newCheck({ name: 'gone' }));
    const kept = await store.createCheck(newCheck({ name: 'kept' }));
    const down = {
      standing: standingOf('down', { consecutiveFailures: 3 }),
      incident: {
        action: 'open',
        state: 'down',
        errorClass: 'dns',
      } as IncidentChange,
    };
    await store.recordProbes([
      probe(gone, NOW - 1000, 'failure', { ...down, errorClass: 'dns' }),
      probe(kept, NOW - 1000, 'failure', { ...down, errorClass: 'dns' }),
    ]);
    expect(await store.deleteCheck(ENTITY, gone.id)).toBe(true);
    expect(
      await knex('health_incidents').where({ check_id: Number(gone.id) }),
    ).toEqual([]);
    expect(await samplesOf(knex, gone.id)).toBe(0);
    expect((await store.openIncidents([kept.id])).get(kept.id)).toMatchObject({
      state: 'down',
      errorClass: 'dns',
    });
    expect(await samplesOf(knex, kept.id)).toBe(1);
  });

  it('records large batches of several checks in one call, and two probes of one check in order', async () => {
    const { knex, store } = await setup();
    const checks = await Promise.all(
      ['a', 'b', 'c'].map(name => store.createCheck(newCheck({ name }))),
    );
    // 1,200 samples: more than one statement's worth of variables on SQLite.
    const records = Array.from({ length: 1200 }, (_, i) =>
      probe(checks[i % 3], NOW - (1200 - i) * 1000, 'success', {
        standing: standingOf('ok', { consecutiveSuccesses: Math.floor(i / 3) }),
      }),
    );
    await store.recordProbes(records);
    for (const check of checks) {
      expect(await samplesOf(knex, check.id)).toBe(400);
      // The last probe of each check sets its standing.
      expect(await store.getCheck(ENTITY, check.id)).toMatchObject({
        consecutiveSuccesses: 399,
        lastProbeAt: expect.any(Date),
      });
    }
    expect(
      (await store.getCheck(ENTITY, checks[2].id))!.lastProbeAt!.getTime(),
    ).toBe(NOW - 1000);

    // Down and back within one batch: the incident opens, then closes.
    await store.recordProbes([
      probe(checks[0], NOW, 'failure', {
        standing: standingOf('down', { consecutiveFailures: 3 }),
        incident: { action: 'open', state: 'down', errorClass: 'status' },
      }),
      probe(checks[1], NOW, 'success'),
      probe(checks[0], NOW + 10_000, 'success', {
        standing: standingOf('ok', { consecutiveSuccesses: 1 }),
        incident: { action: 'close' },
      }),
      probe(checks[0], NOW + 20_000, 'failure', {
        standing: standingOf('degraded', { consecutiveBad: 3 }),
        incident: { action: 'open', state: 'degraded', errorClass: 'tls' },
      }),
    ]);
    expect(
      (await store.listIncidents(checks[0].id, { limit: 10 })).map(i => [
        i.state,
        i.errorClass,
        i.openedAt,
        i.closedAt,
      ]),
    ).toEqual([
      ['degraded', 'tls', new Date(NOW + 20_000).toISOString(), null],
      [
        'down',
        'status',
        new Date(NOW).toISOString(),
        new Date(NOW + 10_000).toISOString(),
      ],
    ]);
    expect(await store.getCheck(ENTITY, checks[0].id)).toMatchObject({
      state: 'degraded',
      consecutiveBad: 3,
      lastProbeAt: new Date(NOW + 20_000),
    });
  });

  it('lists samples newest first, from a time on, at most a limit', async () => {
    const { store } = await setup();
    const check = await store.createCheck(newCheck());
    const other = await store.createCheck(newCheck({ name: 'other' }));
    // Across hour boundaries: two hours ago, the hour before and this one.
    const times = [
      NOW - 2 * HOUR - 1,
      NOW - HOUR - 60_000,
      NOW - 31 * 60_000, // 11:59, the hour before NOW's
      NOW - 29 * 60_000, // 12:01
      NOW - 60_000,
    ];
    await store.recordProbes([
      ...[...times].reverse().map(at =>
        probe(check, at, at === times[2] ? 'failure' : 'success', {
          errorClass: at === times[2] ? 'assertion' : null,
          statusCode: 200,
        }),
      ),
      probe(other, NOW - 1000, 'success'),
    ]);
    const at = (list: { at: string }[]) =>
      list.map(s => new Date(s.at).getTime());

    expect(
      at(await store.listSamples(check.id, { sinceMs: 0, limit: 10 })),
    ).toEqual([...times].reverse());
    // Since 11:59 exactly: within its hour, an earlier sample of that hour is out.
    expect(
      at(await store.listSamples(check.id, { sinceMs: times[2], limit: 10 })),
    ).toEqual([times[4], times[3], times[2]]);
    expect(
      at(
        await store.listSamples(check.id, { sinceMs: times[2] + 1, limit: 10 }),
      ),
    ).toEqual([times[4], times[3]]);
    expect(
      at(await store.listSamples(check.id, { sinceMs: 0, limit: 2 })),
    ).toEqual([times[4], times[3]]);
    expect(
      (await store.listSamples(check.id, { sinceMs: times[2], limit: 10 }))[2],
    ).toEqual({
      at: new Date(times[2]).toISOString(),
      outcome: 'failure',
      latencyMs: 40,
      statusCode: 200,
      errorClass: 'assertion',
    });
    expect(
      await store.listSamples(check.id, { sinceMs: NOW, limit: 10 }),
    ).toEqual([]);
    expect(await store.listSamples('nope', { sinceMs: 0, limit: 10 })).toEqual(
      [],
    );
  });

  it('reads samples and uptime through the (check, hour) index', async () => {
    const { knex, store } = await setup();
    const check = await store.createCheck(newCheck());
    await store.recordProbes([probe(check, NOW - 1000, 'success')]);
    const queries: { sql: string; bindings: unknown[] }[] = [];
    const capture = (query: { sql: string; bindings?: unknown[] }) => {
      if (/health_samples/.test(query.sql)) {
        queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
      }
    };
    knex.on('query', capture);
    try {
      await store.listSamples(check.id, { sinceMs: NOW - HOUR, limit: 10 });
      await store.uptime([check.id], NOW);
    } finally {
      knex.removeListener('query', capture);
    }
    expect(queries).toHaveLength(2);
    for (const { sql, bindings } of queries) {
      const plan = await knex.transaction(async trx => {
        if (id === 'POSTGRES_15') {
          // A table this small is read whole unless that is ruled out.
          await trx.raw('SET LOCAL enable_seqscan = off');
          const result = await trx.raw(
            `EXPLAIN ${sql.replace(/\$\d+/g, '?')}`,
            bindings as Knex.RawBinding[],
          );
          return JSON.stringify(result.rows);
        }
        return JSON.stringify(
          await trx.raw(
            `EXPLAIN QUERY PLAN ${sql}`,
            bindings as Knex.RawBinding[],
          ),
        );
      });
      // Both columns of the index bound the range, not the check alone.
      expect(plan).toMatch(
        id === 'POSTGRES_15'
          ? /Index Scan on health_samples_check_hour.*Index Cond: \(\(check_id = [^"]*\(\(at_ms \/ 3600000\)\)::integer >= /
          : /USING INDEX health_samples_check_hour \(check_id=\? AND <expr>>\?\)/,
      );
    }
  });

  it('computes uptime over 24 hours, 7 days and 30 days for many checks in one call', async () => {
    const { knex, store } = await setup();
    const [mixed, slow, idle, old, gone] = await Promise.all(
      ['mixed', 'slow', 'idle', 'old', 'gone'].map(name =>
        store.createCheck(newCheck({ name })),
      ),
    );
    await store.recordProbes([
      // mixed: 3 probes in the last day, 1 failed; a failure 8 days ago.
      probe(mixed, NOW - HOUR, 'success'),
      probe(mixed, NOW - 2 * HOUR, 'failure'),
      probe(mixed, NOW - 23 * HOUR, 'degraded'),
      probe(mixed, NOW - 8 * DAY, 'failure'),
      // slow: degraded counts as up; 2 days ago is in the week, not the day.
      probe(slow, NOW - 2 * DAY, 'degraded'),
      probe(slow, NOW - 3 * DAY, 'failure', { errorClass: 'timeout' }),
      probe(slow, NOW - 4 * DAY, 'success'),
      probe(slow, NOW - 5 * DAY, 'success'),
      // old: older than 30 days, and one after "now": neither counts.
      probe(old, NOW - 30 * DAY - 1, 'success'),
      probe(old, NOW + 1, 'failure'),
      // gone: a probe exactly at the day's edge counts (raw samples); a
      // day and more back, whole hours of rollups count: the hour that
      // starts at 30 days' edge does, the hour the edge falls in does not.
      probe(gone, NOW - DAY, 'failure'),
      probe(gone, NOW, 'success'),
      probe(gone, NOW - 30 * DAY, 'success'),
      probe(gone, NOW - 30 * DAY + HOUR / 2, 'failure'),
    ]);
    // Beyond a day, uptime reads the hourly rollups.
    await rollUpHours(knex, { nowMs: NOW });

    const uptime = await store.uptime(
      [mixed.id, slow.id, idle.id, old.id, gone.id, 'nope'],
      NOW,
    );
    expect(Object.fromEntries(uptime)).toEqual({
      [mixed.id]: { day: 2 / 3, week: 2 / 3, month: 2 / 4 },
      [slow.id]: { day: null, week: 3 / 4, month: 3 / 4 },
      [idle.id]: { day: null, week: null, month: null },
      [old.id]: { day: null, week: null, month: null },
      [gone.id]: { day: 1 / 2, week: 1 / 2, month: 1 / 3 },
    });
    expect((await store.uptime([], NOW)).size).toBe(0);
  });

  it('reads week and month uptime from rollups once the raw samples are gone', async () => {
    const { knex, store } = await setup();
    const [check, other] = await createChecks(knex, ['kept', 'other']);
    await insertSamples(knex, [
      // In the month only: 2 of 4 up (a degraded probe is up).
      { checkId: check, atMs: NOW - 20 * DAY, outcome: 'failure' },
      { checkId: check, atMs: NOW - 20 * DAY + 1, outcome: 'degraded' },
      { checkId: check, atMs: NOW - 10 * DAY, outcome: 'failure' },
      { checkId: check, atMs: NOW - 10 * DAY + 1 },
      // In the week: 2 of 3 up; in the day: 1 of 1.
      { checkId: check, atMs: NOW - 3 * DAY },
      { checkId: check, atMs: NOW - 2 * DAY, outcome: 'failure' },
      { checkId: check, atMs: NOW - HOUR },
      { checkId: other, atMs: NOW - 12 * DAY },
    ]);
    const rolled = await rollUpHours(knex, { nowMs: NOW });
    const expected = {
      [check]: { day: 1, week: 2 / 3, month: 4 / 7 },
      [other]: { day: null, week: null, month: 1 },
    };
    expect(Object.fromEntries(await store.uptime([check, other], NOW))).toEqual(
      expected,
    );

    const deleted = await deleteExpiredHealthData(knex, {
      nowMs: NOW,
      sampleRetentionMs: DEFAULT_HEALTH_CONFIG.sampleRetentionMs,
      rolledUpBeforeHour: rolled.toHour,
    });
    expect(deleted.samples).toBe(5);
    expect(await samplesOf(knex, check)).toBe(3);
    expect(Object.fromEntries(await store.uptime([check, other], NOW))).toEqual(
      expected,
    );

    // Deleting the check takes its rollups along.
    expect(await store.deleteCheck(ENTITY, check)).toBe(true);
    expect(
      await knex('health_rollups').where({ check_id: Number(check) }),
    ).toEqual([]);
    expect(
      await knex('health_rollups').where({ check_id: Number(other) }),
    ).toHaveLength(1);
  });

  it('leaves samples taken in a maintenance window out of uptime', async () => {
    const { knex, store } = await setup();
    const [check, paused] = await createChecks(knex, ['check', 'paused']);
    const inMaintenance = true;
    await insertSamples(knex, [
      { checkId: check, atMs: NOW - HOUR },
      {
        checkId: check,
        atMs: NOW - HOUR + 1,
        outcome: 'failure',
        inMaintenance,
      },
      { checkId: check, atMs: NOW - 3 * DAY, outcome: 'failure' },
      { checkId: check, atMs: NOW - 3 * DAY + 1, inMaintenance },
      { checkId: check, atMs: NOW - 20 * DAY },
      {
        checkId: check,
        atMs: NOW - 20 * DAY + 1,
        outcome: 'failure',
        inMaintenance,
      },
      { checkId: paused, atMs: NOW - HOUR, outcome: 'failure', inMaintenance },
      { checkId: paused, atMs: NOW - 3 * DAY, inMaintenance },
    ]);
    await rollUpHours(knex, { nowMs: NOW });
    expect(
      Object.fromEntries(await store.uptime([check, paused], NOW)),
    ).toEqual({
      [check]: { day: 1, week: 1 / 2, month: 2 / 3 },
      [paused]: { day: null, week: null, month: null },
    });
  });

  it('lists incidents newest first and the open incident of each of many checks', async () => {
    const { store } = await setup();
    const [open, closed, quiet] = await Promise.all(
      ['open', 'closed', 'quiet'].map(name =>
        store.createCheck(newCheck({ name })),
      ),
    );
    const opening = (
      check: StoredHealthCheck,
      at: number,
      errorClass: OpsHubHealthErrorClass,
    ) =>
      probe(check, at, 'failure', {
        errorClass,
        standing: standingOf('down', { consecutiveFailures: 3 }),
        incident: { action: 'open', state: 'down', errorClass },
      });
    const closing = (check: StoredHealthCheck, at: number) =>
      probe(check, at, 'success', { incident: { action: 'close' } });

    await store.recordProbes([
      opening(open, NOW - 5 * HOUR, 'dns'),
      opening(closed, NOW - 5 * HOUR, 'tls'),
    ]);
    await store.recordProbes([
      closing(open, NOW - 4 * HOUR),
      closing(closed, NOW - 4 * HOUR),
    ]);
    await store.recordProbes([opening(open, NOW - 3 * HOUR, 'blocked')]);

    const incidents = await store.listIncidents(open.id, { limit: 10 });
    expect(incidents.map(i => [i.errorClass, i.closedAt])).toEqual([
      ['blocked', null],
      ['dns', new Date(NOW - 4 * HOUR).toISOString()],
    ]);
    expect(await store.listIncidents(open.id, { limit: 1 })).toEqual([
      incidents[0],
    ]);
    expect(await store.listIncidents('nope', { limit: 1 })).toEqual([]);

    const openIncidents = await store.openIncidents([
      open.id,
      closed.id,
      quiet.id,
      'nope',
    ]);
    expect([...openIncidents.keys()]).toEqual([open.id]);
    expect(openIncidents.get(open.id)).toEqual(incidents[0]);
    expect((await store.openIncidents([])).size).toBe(0);
  });

  it('keeps at most one open incident per check', async () => {
    const { knex, store } = await setup();
    const check = await store.createCheck(newCheck());
    const row = (openedAt: number, closedAt: number | null) => ({
      check_id: Number(check.id),
      entity_ref: ENTITY,
      state: 'down',
      error_class: null,
      opened_at: new Date(openedAt),
      closed_at: closedAt === null ? null : new Date(closedAt),
    });
    await knex('health_incidents').insert(row(NOW - 3 * HOUR, NOW - 2 * HOUR));
    await knex('health_incidents').insert(row(NOW - 2 * HOUR, NOW - HOUR));
    await knex('health_incidents').insert(row(NOW - HOUR, null));
    // (rejects.toThrow can miss better-sqlite3's errors: match the text.)
    const refused = await knex('health_incidents')
      .insert(row(NOW, null))
      .then(
        () => 'inserted',
        (error: unknown) => String(error),
      );
    expect(refused).toMatch(/unique|duplicate/i);

    // A repeated "open" keeps the open incident and records the batch.
    await store.recordProbes([
      probe(check, NOW, 'failure', {
        standing: standingOf('down', { consecutiveFailures: 4 }),
        incident: { action: 'open', state: 'down', errorClass: 'status' },
      }),
    ]);
    const open = await store.openIncidents([check.id]);
    expect(open.get(check.id)!.openedAt).toBe(
      new Date(NOW - HOUR).toISOString(),
    );
    expect(
      await store.listSamples(check.id, { sinceMs: 0, limit: 5 }),
    ).toHaveLength(1);
  });

  it('migrates the health tables down and up again', async () => {
    const { knex } = await setup();
    await migrateDownAll(knex);
    for (const table of [
      'health_checks',
      'health_samples',
      'health_incidents',
    ]) {
      expect(await knex.schema.hasTable(table)).toBe(false);
    }
    await migrateUp(knex);
    const store = new DatabaseHealthStore(knex);
    const check = await store.createCheck(newCheck());
    expect(await store.listChecks(ENTITY)).toEqual([check]);
  });
});
