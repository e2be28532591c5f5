import type { OpsHubHealthState } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { DatabaseEnvVarStore } from '../envvars/DatabaseEnvVarStore';
import { testCipher } from '../envvars/testCipher';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue } from '../queue/JobQueue';
import { createTestDatabases } from '../__testUtils__/databases';
import { waitFor } from '../__testUtils__/waitFor';
import { capturingLogger } from '../__testUtils__/secretScan';
import { newHealthCheck } from './__testUtils__/checkFixtures';
import { useConnectionGuard } from './__testUtils__/connectionGuard';
import {
  fakeLookup,
  type LoopbackServer,
  startLoopbackServer,
} from './__testUtils__/loopbackServers';
import { DatabaseHealthStore } from './DatabaseHealthStore';
import { createHeaderResolver } from './headers/resolveHeaders';
import type { HealthCheckDefinition } from './HealthStore';
import { NetworkPolicy } from './probe/networkPolicy';
import { createSsrfSafeProber } from './probe/ssrfSafeProber';
import { probeJobHandler } from './probeJobHandler';
import { HEALTH_PROBE_JOB } from './probeJobs';
import { createHostLimiter } from './hostLimiter';
import { createProbeRecorder } from './probeRecorder';
import { scheduleDueProbes } from './scheduleDueProbes';
import { HEALTH_QUEUE_OPTIONS } from './setUpHealth';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/storefront';

/**
 * The whole probing path on a real database: the schedule task (on a fake
 * clock, a day in the past, so every probe it enqueues is due at once),
 * the health queue, the SSRF-safe prober against loopback servers, the
 * state machine and the batched recorder.
 */
describe.each(databases.eachSupportedId())('health probing on %s', id => {
  const guard = useConnectionGuard();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(options: { perHostConcurrency?: number } = {}) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseHealthStore(knex);
    const jobs = new DatabaseJobStore(knex);
    const logged: string[] = [];
    const envVars = new DatabaseEnvVarStore(knex);
    const cipher = testCipher();
    const queue = new JobQueue(jobs, capturingLogger(logged), {
      concurrency: 32,
      pollIntervalMs: 50,
      ...HEALTH_QUEUE_OPTIONS,
    });
    const lookup = fakeLookup('10.0.0.1');
    const prober = createSsrfSafeProber({
      policy: new NetworkPolicy({
        allowPrivateNetworks: false,
        allowedNetworks: ['127.0.0.1/32'],
      }),
      maxRedirects: 5,
      lookup,
    });
    const changed: string[] = [];
    queue.register(
      HEALTH_PROBE_JOB,
      probeJobHandler({
        prober,
        hosts: createHostLimiter(options.perHostConcurrency ?? 4),
        resolveHeaders: createHeaderResolver({ envVars, cipher }),
        apply: createProbeRecorder(store, { lingerMs: 20 }),
        changed: ref => changed.push(ref),
      }),
      { concurrency: 32, maxAttempts: 1 },
    );
    queue.start();
    cleanups.push(async () => {
      await queue.stop();
      await jobs.close();
      await prober.close();
    });
    let clock = Date.now() - 24 * 3600_000;
    const tick = async () => {
      await scheduleDueProbes({
        knex,
        queue,
        horizonMs: clock + 1,
        now: () => clock,
      });
    };
    const advance = (ms: number) => {
      clock += ms;
    };
    const create = async (definition: Partial<HealthCheckDefinition>) => {
      const check = await store.createCheck(
        newHealthCheck({
          name: `check-${Math.random()}`,
          url: 'http://127.0.0.1:1/',
          ...definition,
          entityRef: ENTITY,
          source: 'api',
          configError: null,
          nextProbeAtMs: clock,
          createdBy: 'user:default/test',
        }),
      );
      return check.id;
    };
    /** Writes the entity's production variable `name`, sealed. */
    const setVariable = async (name: string, value: string) => {
      const key = {
        entityRef: ENTITY,
        environment: 'production',
        branch: null,
        name,
      };
      const version = await envVars.nextVersion(key);
      await envVars.write({
        ...key,
        version,
        sensitive: true,
        sealed: await cipher.seal(value, { ...key, version }),
        actor: 'user:default/test',
      });
    };
    return {
      knex,
      store,
      tick,
      advance,
      create,
      changed,
      lookup,
      logged,
      setVariable,
    };
  }

  async function serve(
    answer: (path: string) => { status: number; delayMs?: number },
  ): Promise<LoopbackServer & { maxInFlight(): number }> {
    const counters = { inFlight: 0, maxInFlight: 0 };
    const server = await startLoopbackServer((req, res) => {
      counters.inFlight += 1;
      counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
      const { status, delayMs = 0 } = answer(req.url ?? '/');
      setTimeout(() => {
        counters.inFlight -= 1;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end('pong');
      }, delayMs);
    });
    cleanups.push(() => server.close());
    return Object.assign(server, { maxInFlight: () => counters.maxInFlight });
  }

  async function samplesOf(knex: Knex, checkId: string): Promise<number> {
    const [{ count }] = await knex('health_samples')
      .where('check_id', Number(checkId))
      .count({ count: '*' });
    return Number(count);
  }

  it('walks a check through every state as its target changes, one probe per interval of the clock', async () => {
    const { knex, store, tick, advance, create, changed } = await setup();
    let mode: 'ok' | 'slow' | 'fail' = 'ok';
    const server = await serve(() =>
      mode === 'fail'
        ? { status: 503 }
        : { status: 200, delayMs: mode === 'slow' ? 1_500 : 0 },
    );
    const checkId = await create({
      url: `${server.origin}/healthz`,
      intervalMs: 30_000,
      degradedLatencyMs: 750,
      failureThreshold: 3,
      recoveryThreshold: 2,
    });

    const states: OpsHubHealthState[] = [];
    let probes = 0;
    const probeOnce = async (next: typeof mode) => {
      mode = next;
      await tick();
      probes += 1;
      await waitFor(async () => (await samplesOf(knex, checkId)) === probes, {
        what: `probe ${probes}`,
      });
      states.push((await store.getCheck(ENTITY, checkId))!.state);
      advance(30_000);
    };
    expect((await store.getCheck(ENTITY, checkId))!.state).toBe('unknown');
    for (const next of [
      'ok', // unknown → ok on the first success
      'slow',
      'slow',
      'slow', // three bad: degraded
      'fail',
      'fail',
      'fail', // three failures: down
      'ok',
      'ok', // two successes: ok
    ] as const) {
      await probeOnce(next);
    }
    expect(states).toEqual([
      'ok',
      'ok',
      'ok',
      'degraded',
      'degraded',
      'degraded',
      'down',
      'down',
      'ok',
    ]);
    const incidents = await store.listIncidents(checkId, { limit: 10 });
    expect(incidents).toEqual([
      expect.objectContaining({
        state: 'down',
        errorClass: null, // opened by slowness
        closedAt: expect.any(String),
      }),
    ]);
    const samples = await store.listSamples(checkId, { sinceMs: 0, limit: 20 });
    expect(samples.map(s => s.outcome).reverse()).toEqual([
      'success',
      'degraded',
      'degraded',
      'degraded',
      'failure',
      'failure',
      'failure',
      'success',
      'success',
    ]);
    expect(samples[3].errorClass).toBe('status');
    expect(samples[3].statusCode).toBe(503);
    // Each probe came one interval after the one before.
    const starts = samples.map(s => Date.parse(s.at));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    // unknown→ok, →degraded, →down, →ok: the card hears of each.
    expect(changed).toEqual([ENTITY, ENTITY, ENTITY, ENTITY]);
    expect(server.requests).toHaveLength(9);
  });

  it('runs at most perHostConcurrency probes of one host at once, across its checks, without holding up other hosts', async () => {
    const { knex, tick, create } = await setup({ perHostConcurrency: 4 });
    const slow = await serve(() => ({ status: 200, delayMs: 250 }));
    const fast = await serve(() => ({ status: 200 }));
    const slowChecks: string[] = [];
    for (let n = 0; n < 16; n++) {
      slowChecks.push(await create({ url: `${slow.origin}/h/${n}` }));
    }
    const fastChecks: string[] = [];
    for (let n = 0; n < 4; n++) {
      fastChecks.push(await create({ url: `${fast.origin}/h/${n}` }));
    }
    await tick();
    await waitFor(
      async () => {
        for (const checkId of fastChecks) {
          if ((await samplesOf(knex, checkId)) !== 1) return false;
        }
        return true;
      },
      { what: 'the fast host probed' },
    );
    // The slow host is still busy when the fast one is done.
    expect(slow.requests.length).toBeLessThan(16);
    await waitFor(
      async () => {
        const [{ count }] = await knex('health_samples').count({ count: '*' });
        return Number(count) === 20;
      },
      { what: 'every probe', timeoutMs: 30_000 },
    );
    expect(slow.maxInFlight()).toBe(4);
    expect(slow.requests).toHaveLength(16);
  });

  it('records a check whose name resolves to a refused address as blocked, without a connection', async () => {
    const { store, tick, create, lookup } = await setup();
    const checkId = await create({
      url: 'http://internal.example.test/healthz',
      failureThreshold: 1,
    });
    await tick();
    const [sample] = await waitFor(async () => {
      const samples = await store.listSamples(checkId, {
        sinceMs: 0,
        limit: 5,
      });
      return samples.length > 0 && samples;
    });
    expect(sample).toMatchObject({ outcome: 'failure', errorClass: 'blocked' });
    expect(lookup.calls).toEqual(['internal.example.test']);
    // The check says why, naming the rule.
    expect((await store.getCheck(ENTITY, checkId))!.lastErrorMessage).toMatch(
      /10\.0\.0\.1 .*private/,
    );
    // The database's connections are the only ones (the guard fails the
    // test on any connect outside loopback).
    expect(guard.attempts.map(a => a.address)).not.toContain('10.0.0.1');
    expect((await store.getCheck(ENTITY, checkId))!.state).toBe('down');
  });

  it("sends a secret header resolved from the entity's variable, and its value is in no job, sample, check, incident or log line", async () => {
    const { knex, store, tick, advance, create, logged, setVariable } =
      await setup();
    const SECRET = 'sk_live_4f9a2c71e0b3d5a8';
    await setVariable('API_TOKEN', SECRET);
    const authorizations: Array<string | undefined> = [];
    let status = 200;
    const server = await startLoopbackServer((req, res) => {
      authorizations.push(req.headers.authorization);
      res.writeHead(status).end('pong');
    });
    cleanups.push(() => server.close());
    const template = 'Bearer ${env:API_TOKEN}';
    const checkId = await create({
      url: `${server.origin}/healthz`,
      headers: { Authorization: template, 'X-Tenant': 'storefront' },
      failureThreshold: 1,
    });
    // A check whose variable is missing: blocked, with nothing sent.
    const missingId = await create({
      url: `${server.origin}/other`,
      headers: { Authorization: 'Bearer ${env:MISSING_TOKEN}' },
      failureThreshold: 1,
    });

    await tick();
    await waitFor(async () => (await samplesOf(knex, checkId)) === 1);
    await waitFor(async () => (await samplesOf(knex, missingId)) === 1);
    advance(60_000);
    status = 500; // a failure too: its paths must not carry it either
    await tick();
    await waitFor(async () => (await samplesOf(knex, checkId)) === 2);

    expect(authorizations).toEqual([`Bearer ${SECRET}`, `Bearer ${SECRET}`]);
    const [failed, succeeded] = await store.listSamples(checkId, {
      sinceMs: 0,
      limit: 5,
    });
    expect(succeeded.outcome).toBe('success');
    expect(failed).toMatchObject({ outcome: 'failure', errorClass: 'status' });
    const [blocked] = await store.listSamples(missingId, {
      sinceMs: 0,
      limit: 5,
    });
    expect(blocked).toMatchObject({
      outcome: 'failure',
      errorClass: 'blocked',
    });
    expect(await store.getCheck(ENTITY, missingId)).toMatchObject({
      state: 'down',
      lastErrorMessage: expect.stringContaining('${env:MISSING_TOKEN}'),
    });
    // The other check's last probe failed on its status, said in words.
    expect((await store.getCheck(ENTITY, checkId))!.lastErrorMessage).toBe(
      'status 500 not in 200-299',
    );

    const dump = async (table: string) =>
      JSON.stringify(await knex(table).select());
    const stored = {
      jobs: await dump('jobs'),
      samples: await dump('health_samples'),
      checks: await dump('health_checks'),
      incidents: await dump('health_incidents'),
      logs: logged.join('\n'),
    };
    // The scan sees what is there: the templates are stored as written.
    expect(stored.jobs).toContain('${env:API_TOKEN}');
    expect(stored.checks).toContain('${env:API_TOKEN}');
    for (const [where, text] of Object.entries(stored)) {
      expect({ where, hits: text.split(SECRET).length - 1 }).toEqual({
        where,
        hits: 0,
      });
    }
  });
});
