import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import {
  createTestDatabases,
  describeOnPostgres,
} from '../__testUtils__/databases';
import { nextProbeAtMs, probePhaseMs } from './probeSchedule';
import {
  deleteFinishedProbeJobs,
  scheduleDueProbes,
} from './scheduleDueProbes';
import { useConnectionGuard } from './__testUtils__/connectionGuard';

jest.setTimeout(60_000);

const databases = createTestDatabases();
// Every connect outside 127.0.0.1 and ::1 fails the test.
useConnectionGuard();
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

async function insertCheck(
  knex: Knex,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const now = new Date(T0);
  const [row] = await knex('health_checks')
    .insert({
      entity_ref: 'component:default/storefront',
      name: `check-${Math.random()}`,
      source: 'api',
      url: 'http://shop.example.com/healthz',
      method: 'GET',
      expected_status: '200-299',
      timeout_ms: 10_000,
      interval_ms: 30_000,
      failure_threshold: 3,
      recovery_threshold: 2,
      enabled: true,
      next_probe_at_ms: T0,
      created_by: 'user:default/test',
      created_at: now,
      updated_at: now,
      ...overrides,
    })
    .returning('id');
  return String(row.id ?? row);
}

async function probeJobs(knex: Knex) {
  const rows = await knex('jobs')
    .where('type', 'health-probe')
    .orderBy('run_at')
    .orderBy('id')
    .select();
  return rows.map(row => ({
    ...JSON.parse(row.payload),
    runAt: new Date(row.run_at).getTime(),
    group: row.exclusion_group,
    maxAttempts: row.max_attempts,
  }));
}

async function nextOf(knex: Knex, id: string): Promise<number | null> {
  const row = await knex('health_checks').where('id', id).first();
  return row.next_probe_at_ms === null ? null : Number(row.next_probe_at_ms);
}

describe.each(databases.eachSupportedId())('scheduleDueProbes on %s', id => {
  const stores: DatabaseJobStore[] = [];
  afterEach(() => Promise.all(stores.splice(0).map(s => s.close())));

  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const queue = new DatabaseJobStore(knex);
    stores.push(queue);
    const tick = (nowMs: number, horizonMs = nowMs + 15_000) =>
      scheduleDueProbes({
        knex,
        queue,
        horizonMs,
        now: () => nowMs,
      });
    return { knex, tick };
  }

  it('enqueues each due probe at its exact due time, once, and moves the check on its grid', async () => {
    const { knex, tick } = await setup();
    const check = await insertCheck(knex);
    const due = nextProbeAtMs(check, 30_000, T0);
    await knex('health_checks')
      .where('id', check)
      .update({ next_probe_at_ms: due });
    await insertCheck(knex, { next_probe_at_ms: due + 1 }); // beyond the window

    expect(await tick(T0, due + 1)).toBe(1);
    const next = nextProbeAtMs(check, 30_000, due);
    expect(await probeJobs(knex)).toEqual([
      {
        checkId: check,
        entityRef: 'component:default/storefront',
        dueAtMs: due,
        version: T0,
        probe: {
          url: 'http://shop.example.com/healthz',
          method: 'GET',
          timeoutMs: 10_000,
          expectedStatus: '200-299',
          bodyContains: null,
          jsonPath: null,
          degradedLatencyMs: null,
          headers: {},
          certExpiryDays: null,
        },
        runAt: due,
        group: `health:${check}`,
        maxAttempts: 1,
      },
    ]);
    expect(await nextOf(knex, check)).toBe(next);
    expect(next - due).toBe(30_000);
    expect((next - probePhaseMs(check, 30_000)) % 30_000).toBe(0);

    // The same window again enqueues nothing more.
    expect(await tick(T0, due + 1)).toBe(0);
    expect(await probeJobs(knex)).toHaveLength(1);
  });

  it('enqueues every occurrence in the window of a check whose interval is shorter', async () => {
    const { knex, tick } = await setup();
    const check = await insertCheck(knex, { interval_ms: 4_000 });
    const first = nextProbeAtMs(check, 4_000, T0 - 1);
    await knex('health_checks')
      .where('id', check)
      .update({ next_probe_at_ms: first });
    await tick(T0, T0 + 15_000);
    const runAts = (await probeJobs(knex)).map(j => j.runAt);
    expect(runAts.length).toBeGreaterThanOrEqual(3);
    expect(runAts[0]).toBe(first);
    for (let i = 1; i < runAts.length; i++) {
      expect(runAts[i] - runAts[i - 1]).toBe(4_000);
    }
    expect(runAts[runAts.length - 1]).toBeLessThan(T0 + 15_000);
    expect(await nextOf(knex, check)).toBe(runAts[runAts.length - 1] + 4_000);
  });

  it("carries the check's header templates as stored and its certExpiryDays", async () => {
    const { knex, tick } = await setup();
    const headers = {
      Authorization: 'Bearer ${env:API_TOKEN}',
      'X-Tenant': 'storefront',
    };
    await insertCheck(knex, {
      url: 'https://shop.example.com/healthz',
      headers: JSON.stringify(headers),
      cert_expiry_days: 14,
    });
    await tick(T0, T0 + 1);
    const [job] = await probeJobs(knex);
    expect(job.probe).toMatchObject({ headers, certExpiryDays: 14 });
  });

  it('gives an overdue check one probe now, not its backlog', async () => {
    const { knex, tick } = await setup();
    const check = await insertCheck(knex, { next_probe_at_ms: T0 - 3_600_000 });
    await tick(T0, T0 + 1_000);
    expect((await probeJobs(knex)).map(j => j.runAt)).toEqual([T0]);
    expect(await nextOf(knex, check)).toBe(nextProbeAtMs(check, 30_000, T0));
  });

  it('skips disabled checks, checks with a configuration error and unscheduled ones', async () => {
    const { knex, tick } = await setup();
    await insertCheck(knex, { enabled: false });
    await insertCheck(knex, { config_error: 'refused' });
    await insertCheck(knex, { next_probe_at_ms: null });
    expect(await tick(T0)).toBe(0);
    expect(await probeJobs(knex)).toEqual([]);
  });

  it('spreads checks of equal intervals over the interval, each keeping its phase', async () => {
    const { knex, tick } = await setup();
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) {
      const checkId = await insertCheck(knex, { next_probe_at_ms: null });
      await knex('health_checks')
        .where('id', checkId)
        .update({ next_probe_at_ms: nextProbeAtMs(checkId, 30_000, T0) });
      ids.push(checkId);
    }
    await tick(T0, T0 + 30_001);
    const jobs = await probeJobs(knex);
    expect(jobs).toHaveLength(200);
    // Ten 3-second buckets of the interval: none empty, none with more than
    // three times its share (uniform would be 20 each).
    const buckets = new Array(10).fill(0);
    for (const job of jobs) {
      buckets[Math.floor((job.runAt - T0 - 1) / 3_000)] += 1;
    }
    for (const count of buckets) {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(60);
    }
    // A second interval repeats the same phases.
    await tick(T0 + 30_000, T0 + 60_001);
    const again = (await probeJobs(knex)).slice(200);
    const byCheck = new Map(jobs.map(j => [j.checkId, j.runAt]));
    for (const job of again) {
      expect(job.runAt - byCheck.get(job.checkId)!).toBe(30_000);
    }
  });

  it("puts every probe of a check in the check's own exclusion group", async () => {
    const { knex, tick } = await setup();
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      ids.push(
        await insertCheck(knex, {
          url: `https://api.example.com:8443/health/${n}`,
          interval_ms: 5_000,
        }),
      );
    }
    await tick(T0, T0 + 20_000);
    const jobs = await probeJobs(knex);
    expect(jobs.length).toBeGreaterThanOrEqual(15);
    for (const job of jobs) expect(job.group).toBe(`health:${job.checkId}`);
    expect(new Set(jobs.map(j => j.group))).toEqual(
      new Set(ids.map(checkId => `health:${checkId}`)),
    );
  });

  it('deletes succeeded probe jobs finished before a time, and nothing else', async () => {
    const { knex } = await setup();
    const old = new Date(T0 - 7_200_000);
    const base = {
      payload: '{}',
      priority: 0,
      attempts: 1,
      max_attempts: 1,
      run_at: old,
      created_at: old,
      updated_at: old,
    };
    await knex('jobs').insert([
      { ...base, type: 'health-probe', state: 'succeeded', finished_at: old },
      { ...base, type: 'health-probe', state: 'dead', finished_at: old },
      {
        ...base,
        type: 'health-probe',
        state: 'succeeded',
        finished_at: new Date(T0),
      },
      { ...base, type: 'create-preview', state: 'succeeded', finished_at: old },
    ]);
    expect(await deleteFinishedProbeJobs(knex, T0 - 3_600_000)).toBe(1);
    expect(
      (await knex('jobs').orderBy('id').select('type', 'state')).map(
        r => `${r.type}:${r.state}`,
      ),
    ).toEqual([
      'health-probe:dead',
      'health-probe:succeeded',
      'create-preview:succeeded',
    ]);
  });
});

describeOnPostgres(
  databases,
  'scheduleDueProbes on several instances on %s',
  id => {
    it('enqueues each due probe once when instances run it at the same moment', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const now = new Date(T0);
      await knex.batchInsert(
        'health_checks',
        Array.from({ length: 3_000 }, (_, n) => ({
          entity_ref: 'component:default/storefront',
          name: `check-${n}`,
          source: 'api',
          url: `http://shop.example.com/healthz/${n}`,
          method: 'GET',
          expected_status: '200-299',
          timeout_ms: 10_000,
          interval_ms: 30_000,
          failure_threshold: 3,
          recovery_threshold: 2,
          enabled: true,
          next_probe_at_ms: T0 + (n % 1_000),
          created_by: 'user:default/test',
          created_at: now,
          updated_at: now,
        })),
        500,
      );
      // What one instance alone would enqueue for each check.
      const expected = new Map<string, number[]>();
      for (const row of await knex('health_checks').select(
        'id',
        'next_probe_at_ms',
      )) {
        const checkId = String(row.id);
        const dues: number[] = [];
        for (
          let at = Number(row.next_probe_at_ms);
          at < T0 + 2_000;
          at = nextProbeAtMs(checkId, 30_000, at)
        ) {
          dues.push(at);
        }
        expected.set(checkId, dues);
      }
      const total = [...expected.values()].reduce((n, d) => n + d.length, 0);
      const instances = [
        new DatabaseJobStore(knex),
        new DatabaseJobStore(knex),
        new DatabaseJobStore(knex),
      ];
      try {
        const counts = await Promise.all(
          instances.map(queue =>
            scheduleDueProbes({
              knex,
              queue,
              horizonMs: T0 + 2_000,
              now: () => T0,
            }),
          ),
        );
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
        const actual = new Map<string, number[]>();
        for (const job of await probeJobs(knex)) {
          actual.set(job.checkId, [
            ...(actual.get(job.checkId) ?? []),
            job.dueAtMs,
          ]);
        }
        expect(actual).toEqual(expected);
        // More than one instance took part.
        expect(counts.filter(n => n > 0).length).toBeGreaterThan(1);
      } finally {
        await Promise.all(instances.map(i => i.close()));
      }
    });
  },
);
