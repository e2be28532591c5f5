import { mockServices } from '@backstage/backend-test-utils';
import { migrateUp } from '../../database/migrations';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import { seedPreview } from '../../__testUtils__/previews';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import type { NewHealthCheck, StoredHealthCheck } from '../HealthStore';
import type { ProbeResult } from '../probe/types';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { MAINTENANCE_RECHECK_MS } from './decideAlert';
import { evaluateDueAlerts } from './evaluateDueAlerts';
import type { HealthAlertPayload } from './healthAlertJobs';

jest.setTimeout(60_000);

const databases = createTestDatabases();
useConnectionGuard();

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The fake clock's start. */
const T0 = Date.UTC(2026, 11, 1, 12, 0);

describe.each(databases.eachSupportedId())('evaluateDueAlerts on %s', id => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map(close => close()));
  });

  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseHealthStore(knex);
    const jobs = new DatabaseJobStore(knex);
    closers.push(() => jobs.close());
    const queue = new JobQueue(jobs, mockServices.logger.mock());
    const maintenance = new Set<string>();
    const maintenanceAsked: Array<{ checkIds: string[]; atMs: number }> = [];

    // Thresholds of 1: each probe moves the state (one failure: down).
    const createCheck = (overrides: Partial<NewHealthCheck> = {}) =>
      store.createCheck(
        newHealthCheck({
          failureThreshold: 1,
          recoveryThreshold: 1,
          degradedLatencyMs: 1_000,
          ...overrides,
        }),
      );
    /** A real probe result applied as the probe jobs apply it. */
    const probe = async (
      check: StoredHealthCheck,
      atMs: number,
      outcome: ProbeResult['outcome'],
    ) => {
      const [applied] = await store.applyProbes([
        {
          checkId: check.id,
          version: check.updatedAt.getTime(),
          result: {
            outcome,
            startedAt: new Date(atMs),
            latencyMs: outcome === 'degraded' ? 2_000 : 40,
            statusCode: outcome === 'failure' ? 503 : 200,
            errorClass: outcome === 'failure' ? 'status' : null,
            message: outcome === 'failure' ? 'status 503 not in 200-299' : null,
          },
        },
      ]);
      expect(applied).toBeDefined();
    };
    const evaluate = (
      atMs: number,
      options: { previewAlerts?: boolean } = {},
    ) =>
      evaluateDueAlerts({
        knex,
        queue,
        inMaintenance: async (checkIds, at) => {
          maintenanceAsked.push({ checkIds, atMs: at });
          return new Set(checkIds.filter(checkId => maintenance.has(checkId)));
        },
        previewAlerts: options.previewAlerts ?? false,
        nowMs: atMs,
      });
    /** The alert jobs enqueued so far, in order. */
    const alertJobs = async () =>
      (await knex('jobs').where({ type: 'health-alert' }).orderBy('id')).map(
        row => ({
          key: row.key as string,
          group: row.exclusion_group as string,
          payload: (typeof row.payload === 'string'
            ? JSON.parse(row.payload)
            : row.payload) as HealthAlertPayload,
        }),
      );
    /** `<kind>:<state>@+<minutes> #<incident, 1 for the check's first>`. */
    const sent = async (check: StoredHealthCheck) => {
      const incidents = (await store.listIncidents(check.id, { limit: 100 }))
        .map(incident => incident.id)
        .reverse();
      return (await alertJobs())
        .filter(job => job.payload.checkId === check.id)
        .map(
          ({ payload: p }) =>
            `${p.kind}:${p.state}@+${(p.atMs - T0) / MIN}m #${
              p.incidentId === null
                ? 'none'
                : incidents.indexOf(p.incidentId) + 1
            }`,
        );
    };
    const bookkeepingOf = async (check: StoredHealthCheck) => {
      const current = await store.getCheck(check.entityRef, check.id);
      return {
        alertedState: current!.alertedState,
        lastAlertAtMs: current!.lastAlertAtMs,
        lastNoticeAtMs: current!.lastNoticeAtMs,
        alertDueAtMs: current!.alertDueAtMs,
      };
    };
    return {
      knex,
      store,
      createCheck,
      probe,
      evaluate,
      alertJobs,
      sent,
      bookkeepingOf,
      maintenance,
      maintenanceAsked,
    };
  }

  it('flapping inside the cooldown: one alert, one recovery, then the deferred alert at its end', async () => {
    const { createCheck, probe, evaluate, sent, alertJobs, bookkeepingOf } =
      await setup();
    const check = await createCheck();
    expect(await evaluate(T0)).toBe(0); // nothing due yet

    await probe(check, T0, 'failure');
    expect(await bookkeepingOf(check)).toMatchObject({ alertDueAtMs: T0 });
    expect(await evaluate(T0)).toBe(1);
    await probe(check, T0 + 2 * MIN, 'success');
    expect(await evaluate(T0 + 2 * MIN)).toBe(1);
    await probe(check, T0 + 5 * MIN, 'failure');
    expect(await evaluate(T0 + 5 * MIN)).toBe(0);
    expect(await bookkeepingOf(check)).toEqual({
      alertedState: null,
      lastAlertAtMs: T0,
      lastNoticeAtMs: T0,
      alertDueAtMs: T0 + 15 * MIN,
    });
    // Still down, more probes change nothing; the cooldown ends later.
    await probe(check, T0 + 6 * MIN, 'failure');
    expect(await evaluate(T0 + 15 * MIN - 1)).toBe(0);
    expect(await evaluate(T0 + 15 * MIN)).toBe(1);

    expect(await sent(check)).toEqual([
      'alert:down@+0m #1',
      'recovery:ok@+2m #1',
      'alert:down@+15m #2',
    ]);
    const [first] = await alertJobs();
    expect(first).toEqual({
      key: `health-alert:${check.id}:alert@${T0}`,
      group: `health-alert:${check.id}`,
      payload: {
        kind: 'alert',
        checkId: check.id,
        checkName: 'home',
        entityRef: 'component:default/storefront',
        url: 'https://storefront.example.com/healthz',
        state: 'down',
        incidentId: expect.any(String),
        since: new Date(T0).toISOString(),
        errorClass: 'status',
        statusCode: 503,
        errorMessage: 'status 503 not in 200-299',
        atMs: T0,
      },
    });
  });

  it('escalates inside the cooldown, reminds at exactly +4 h, and recovers', async () => {
    const { createCheck, probe, evaluate, sent, bookkeepingOf } = await setup();
    const check = await createCheck();
    await probe(check, T0, 'degraded');
    await evaluate(T0);
    await probe(check, T0 + MIN, 'failure');
    await evaluate(T0 + MIN);
    expect(await bookkeepingOf(check)).toEqual({
      alertedState: 'down',
      lastAlertAtMs: T0 + MIN,
      lastNoticeAtMs: T0 + MIN,
      alertDueAtMs: T0 + MIN + 4 * HOUR,
    });
    expect(await evaluate(T0 + MIN + 4 * HOUR - 1)).toBe(0);
    expect(await evaluate(T0 + MIN + 4 * HOUR)).toBe(1);
    expect(await evaluate(T0 + MIN + 8 * HOUR)).toBe(1);
    await probe(check, T0 + 9 * HOUR, 'success');
    await evaluate(T0 + 9 * HOUR);
    expect(await sent(check)).toEqual([
      'alert:degraded@+0m #1',
      'escalation:down@+1m #1',
      'reminder:down@+241m #1',
      'reminder:down@+481m #1',
      'recovery:ok@+540m #1',
    ]);
    expect(await bookkeepingOf(check)).toMatchObject({
      alertedState: null,
      alertDueAtMs: null,
    });
  });

  it('sends no reminders with a reminder interval of 0, and no recovery without an alert', async () => {
    const { createCheck, probe, evaluate, sent } = await setup();
    const quiet = await createCheck({ reminderIntervalMs: 0 });
    await probe(quiet, T0, 'failure');
    await evaluate(T0);
    expect(await evaluate(T0 + 24 * HOUR)).toBe(0);

    const brief = await createCheck({ name: 'api' });
    await probe(brief, T0, 'success');
    await evaluate(T0);
    expect(await sent(quiet)).toEqual(['alert:down@+0m #1']);
    expect(await sent(brief)).toEqual([]);
  });

  it('sends nothing in a maintenance window, and no recovery after it', async () => {
    const {
      createCheck,
      probe,
      evaluate,
      sent,
      maintenance,
      maintenanceAsked,
      bookkeepingOf,
    } = await setup();
    const check = await createCheck();
    await probe(check, T0, 'failure');
    await evaluate(T0);
    maintenance.add(check.id);
    await probe(check, T0 + MIN, 'degraded');
    await evaluate(T0 + MIN);
    expect(maintenanceAsked.at(-1)).toEqual({
      checkIds: [check.id],
      atMs: T0 + MIN,
    });
    expect(await bookkeepingOf(check)).toMatchObject({
      alertedState: null,
      alertDueAtMs: T0 + MIN + MAINTENANCE_RECHECK_MS,
    });
    await probe(check, T0 + 2 * MIN, 'success');
    await evaluate(T0 + 2 * MIN);
    maintenance.delete(check.id);
    // Down again after the window (and the cooldown): a new alert.
    await probe(check, T0 + 20 * MIN, 'failure');
    await evaluate(T0 + 20 * MIN);
    expect(await sent(check)).toEqual([
      'alert:down@+0m #1',
      'alert:down@+20m #2',
    ]);
  });

  it('preview checks alert only when previews.alert is on', async () => {
    const { knex, createCheck, probe, evaluate, sent } = await setup();
    const previewCheck = async (prNumber: number) =>
      createCheck({
        name: `preview-${prNumber}`,
        source: 'preview',
        previewId: await seedPreview(knex, {
          entityRef: 'component:default/storefront',
          prNumber,
          state: 'ready',
        }),
      });
    const quiet = await previewCheck(1);
    await probe(quiet, T0, 'failure');
    expect(await evaluate(T0)).toBe(0);

    const loud = await previewCheck(2);
    await probe(loud, T0, 'failure');
    expect(await evaluate(T0, { previewAlerts: true })).toBe(1);
    expect(await sent(quiet)).toEqual([]);
    expect(await sent(loud)).toEqual(['alert:down@+0m #1']);
  });

  it('two instances running it at once decide each due check once', async () => {
    const { createCheck, probe, evaluate, alertJobs } = await setup();
    const checks: StoredHealthCheck[] = [];
    for (let i = 0; i < 5; i++) {
      checks.push(await createCheck({ name: `check-${i}` }));
    }
    for (const check of checks) await probe(check, T0, 'failure');
    const [a, b] = await Promise.all([evaluate(T0), evaluate(T0)]);
    expect(a + b).toBe(5);
    const jobs = await alertJobs();
    expect(jobs.map(job => job.payload.checkId).sort()).toEqual(
      checks.map(check => check.id).sort(),
    );
  });

  it('takes due checks in batches', async () => {
    const { knex, createCheck, probe, alertJobs } = await setup();
    const checks: StoredHealthCheck[] = [];
    for (let i = 0; i < 5; i++) {
      checks.push(await createCheck({ name: `check-${i}` }));
      await probe(checks[i], T0 + i, 'failure');
    }
    const jobs = new DatabaseJobStore(knex);
    closers.push(() => jobs.close());
    expect(
      await evaluateDueAlerts({
        knex,
        queue: new JobQueue(jobs, mockServices.logger.mock()),
        inMaintenance: async () => new Set(),
        previewAlerts: false,
        nowMs: T0 + MIN,
        batchSize: 2,
      }),
    ).toBe(5);
    expect((await alertJobs()).map(job => job.payload.checkId)).toEqual(
      checks.map(check => check.id),
    );
  });

  it('a disabled check sends nothing and forgets its alert', async () => {
    const { store, createCheck, probe, evaluate, sent, knex } = await setup();
    const check = await createCheck();
    await probe(check, T0, 'failure');
    await evaluate(T0);
    await store.updateCheck(check.entityRef, check.id, { enabled: false });
    // What a probe would do: the check is due again.
    await knex('health_checks')
      .where({ id: Number(check.id) })
      .update({ alert_due_at_ms: T0 + MIN, state: 'ok' });
    expect(await evaluate(T0 + MIN)).toBe(0);
    expect(await sent(check)).toEqual(['alert:down@+0m #1']);
  });
});
