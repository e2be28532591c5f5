import { mockServices } from '@backstage/backend-test-utils';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { deferred, waitFor } from '../__testUtils__/waitFor';
import { DatabaseJobStore } from './DatabaseJobStore';
import { JobPermanentError, JobRetryLaterError } from './errors';
import { JobQueue, type JobQueueOptions } from './JobQueue';
import type { ClaimRequest, Settlement } from './JobStore';
import { PgListenWakeups } from './PgListenWakeups';
import type { Job } from './types';
import type { JobWakeups } from './wakeups';

jest.setTimeout(60_000);

const databases = createTestDatabases();
/** The real store, recording each settleAndClaim call. */
class CountingJobStore extends DatabaseJobStore {
  readonly calls: Array<{ at: number; settled: number; claimed: Job[] }> = [];

  override async settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]> {
    const at = Date.now();
    const claimed = await super.settleAndClaim(workerId, settlements, claim);
    this.calls.push({ at, settled: settlements.length, claimed });
    return claimed;
  }
}

const fast: Partial<JobQueueOptions> = {
  pollIntervalMs: 50,
  recoveryIntervalMs: 50,
  backoff: { baseMs: 10, capMs: 20 },
};

describe.each(databases.eachSupportedId())('JobQueue on %s', id => {
  const queues: JobQueue[] = [];
  const stores: DatabaseJobStore[] = [];
  const stoppables: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(queues.splice(0).map(q => q.stop()));
    await Promise.all(stoppables.splice(0).map(s => s.stop()));
    await Promise.all(stores.splice(0).map(s => s.close()));
  });

  async function setup(options: Partial<JobQueueOptions> = {}) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new CountingJobStore(knex);
    stores.push(store);
    const queue = newQueue(store, options);
    return { knex, store, queue };
  }

  function newQueue(
    store: DatabaseJobStore,
    options: Partial<JobQueueOptions> = {},
  ) {
    const queue = new JobQueue(store, mockServices.logger.mock(), {
      ...fast,
      ...options,
    });
    queues.push(queue);
    return queue;
  }

  const jobState = (store: DatabaseJobStore, jobId: string) => async () =>
    (await store.getJob(jobId))!;

  it('runs a job once and records it succeeded', async () => {
    const { knex, store, queue } = await setup();
    const seen: unknown[] = [];
    queue.register('a', async ({ job }) => {
      seen.push(job.payload);
    });
    queue.start();
    const jobId = await knex.transaction(trx =>
      queue.enqueue(trx, { type: 'a', payload: { n: 1 } }),
    );
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(seen).toEqual([{ n: 1 }]);
    expect(await store.getJob(jobId)).toMatchObject({
      attempts: 1,
      lockedBy: null,
    });
  });

  it('retries with backoff, then succeeds', async () => {
    const { knex, store, queue } = await setup();
    let calls = 0;
    queue.register('flaky', async () => {
      calls += 1;
      if (calls < 3) throw new Error(`failure ${calls}`);
    });
    queue.start();
    const jobId = await queue.enqueue(knex, { type: 'flaky', payload: {} });
    const job = await waitFor(async () => {
      const j = await jobState(store, jobId)();
      return j.state === 'succeeded' && j;
    });
    expect(job).toMatchObject({
      attempts: 3,
      lastError: 'Error: failure 2',
      errorClass: 'transient',
    });
  });

  it('makes a job dead after maxAttempts with its last error', async () => {
    const { knex, store, queue } = await setup();
    queue.register(
      'broken',
      async ({ job }) => {
        throw new Error(`attempt ${job.attempts} failed`);
      },
      { maxAttempts: 3 },
    );
    queue.start();
    const jobId = await queue.enqueue(knex, { type: 'broken', payload: {} });
    const job = await waitFor(async () => {
      const j = await jobState(store, jobId)();
      return j.state === 'dead' && j;
    });
    expect(job).toMatchObject({
      attempts: 3,
      maxAttempts: 3,
      lastError: 'Error: attempt 3 failed',
      errorClass: 'transient',
      finishedAt: expect.any(Date),
    });
  });

  it('dies at once on a permanent error', async () => {
    const { knex, store, queue } = await setup();
    queue.register('doomed', async () => {
      throw new JobPermanentError('bad configuration');
    });
    queue.start();
    const jobId = await queue.enqueue(knex, { type: 'doomed', payload: {} });
    const job = await waitFor(async () => {
      const j = await jobState(store, jobId)();
      return j.state === 'dead' && j;
    });
    expect(job).toMatchObject({ attempts: 1, errorClass: 'permanent' });
  });

  it('waits the delay a handler asks for', async () => {
    const { knex, store, queue } = await setup();
    const starts: number[] = [];
    queue.register('limited', async () => {
      starts.push(Date.now());
      if (starts.length === 1) {
        throw new JobRetryLaterError('rate limited', 400);
      }
    });
    queue.start();
    const jobId = await queue.enqueue(knex, { type: 'limited', payload: {} });
    const failed = await waitFor(async () => {
      const j = await jobState(store, jobId)();
      return j.errorClass === 'retry-later' && j;
    });
    expect(failed.runAt.getTime() - starts[0]).toBeGreaterThanOrEqual(400);
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(400);
  });

  it('reschedules a job without counting attempts', async () => {
    const { knex, store, queue } = await setup();
    let polls = 0;
    queue.register(
      'follow-build',
      async () => {
        polls += 1;
        return polls < 3 ? { rescheduleInMs: 30 } : undefined;
      },
      { maxAttempts: 1 },
    );
    queue.start();
    const jobId = await queue.enqueue(knex, {
      type: 'follow-build',
      payload: {},
    });
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(polls).toBe(3);
    expect((await store.getJob(jobId))!.attempts).toBe(1);
  });

  it('never merges into a running job; the newest waiting one replaces older ones', async () => {
    const { knex, store, queue } = await setup();
    const hold = deferred();
    const ran: string[] = [];
    const started = deferred();
    queue.register(
      'create-preview',
      async ({ job }) => {
        ran.push(String(job.payload.sha));
        if (job.payload.sha === 'a') {
          started.resolve();
          await hold.promise;
        }
      },
      { concurrency: 1 },
    );
    queue.start();
    const opts = { type: 'create-preview', key: 'storefront#7' };
    const first = await queue.enqueue(knex, { ...opts, payload: { sha: 'a' } });
    await started.promise;

    const second = await queue.enqueue(knex, {
      ...opts,
      payload: { sha: 'b' },
    });
    const third = await queue.enqueue(knex, { ...opts, payload: { sha: 'c' } });
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect((await store.getJob(first))!.payload).toEqual({ sha: 'a' });

    hold.resolve();
    await waitFor(
      async () => (await store.getJob(second))!.state === 'succeeded',
    );
    expect(ran).toEqual(['a', 'c']);
  });

  it('runs one job of an exclusion group at a time, on this instance and any other', async () => {
    const { knex, store, queue } = await setup({ concurrency: 4 });
    const other = new DatabaseJobStore(knex);
    stores.push(other);
    const hold = deferred();
    const started = deferred();
    const ran: string[] = [];
    queue.register('provider', async ({ job }) => {
      ran.push(String(job.payload.n));
      if (job.payload.n === 'build') {
        started.resolve();
        await hold.promise;
      }
    });
    queue.start();
    const build = await queue.enqueue(knex, {
      type: 'provider',
      group: 'preview:7',
      payload: { n: 'build' },
    });
    await started.promise;
    const check = await queue.enqueue(knex, {
      type: 'provider',
      group: 'preview:7',
      payload: { n: 'check' },
    });
    // Another instance asks for work: it gets none of the group.
    const claim = {
      leaseMs: 30_000,
      slots: [{ type: 'provider', limit: 4 }],
      total: 4,
    };
    expect(await other.settleAndClaim('other', [], claim)).toEqual([]);
    // This instance claims after the check was due (it runs a job queued
    // later), and still leaves the check waiting.
    const unrelated = await queue.enqueue(knex, {
      type: 'provider',
      payload: { n: 'unrelated' },
    });
    await waitFor(
      async () => (await store.getJob(unrelated))!.state === 'succeeded',
    );
    expect((await store.getJob(check))!.state).toBe('queued');

    hold.resolve();
    await waitFor(
      async () => (await store.getJob(check))!.state === 'succeeded',
    );
    expect((await store.getJob(build))!.state).toBe('succeeded');
    expect(ran).toEqual(['build', 'unrelated', 'check']);
  });

  it.each([
    ['the handler registration', {}, 1, 1],
    ['configuration, over the registration', { throttled: 1 }, 3, 1],
    ['the instance when the type allows more', {}, 10, 4],
  ])(
    'keeps to the concurrency that %s sets',
    async (_source, typeConcurrency, registered, expected) => {
      const { knex, store, queue } = await setup({
        concurrency: 4,
        typeConcurrency,
      });
      let now = 0;
      let max = 0;
      queue.register(
        'throttled',
        async () => {
          now += 1;
          max = Math.max(max, now);
          await new Promise(resolve => setTimeout(resolve, 30));
          now -= 1;
        },
        { concurrency: registered },
      );
      for (let i = 0; i < 8; i++) {
        await store.enqueue(knex, { type: 'throttled', payload: { i } });
      }
      queue.start();
      await waitFor(async () =>
        (
          await store.countByTypeAndState()
        ).some(c => c.state === 'succeeded' && c.count === 8),
      );
      expect(max).toBe(expected);
    },
  );

  it('runs fewer jobs at once while the event loop is busy, and up to its concurrency again once it has room', async () => {
    let busy = true;
    const { knex, store, queue } = await setup({
      concurrency: 4,
      maxEventLoopUtilization: 0.7,
      eventLoopUtilization: () => (busy ? 0.95 : 0.2),
    });
    const gates: Array<() => void> = [];
    let running = 0;
    const maxRunning: number[] = [];
    queue.register('work', async () => {
      running += 1;
      maxRunning[maxRunning.length - 1] = Math.max(
        maxRunning[maxRunning.length - 1],
        running,
      );
      await new Promise<void>(resolve => gates.push(resolve));
      running -= 1;
    });
    for (let i = 0; i < 16; i++) {
      await store.enqueue(knex, { type: 'work', payload: { i } });
    }
    const release = () => gates.splice(0).forEach(open => open());
    maxRunning.push(0);
    queue.start();
    // Four start at once; the busy loop brings the limit down to one.
    await waitFor(async () => running === 4);
    await new Promise(resolve => setTimeout(resolve, 1_000));
    maxRunning.push(0);
    release();
    for (let round = 0; round < 3; round++) {
      await waitFor(async () => gates.length === 1);
      await new Promise(resolve => setTimeout(resolve, 300));
      release();
    }
    // Room again: back up to four at once.
    busy = false;
    maxRunning.push(0);
    await waitFor(async () => running === 4);
    release();
    await waitFor(async () => {
      release();
      return (await store.countByTypeAndState()).some(
        c => c.state === 'succeeded' && c.count === 16,
      );
    });
    expect(maxRunning).toEqual([4, 1, 4]);
  });

  it('keeps a long job leased with heartbeats instead of running it twice', async () => {
    const { knex, store, queue } = await setup({ leaseMs: 150 });
    let runs = 0;
    queue.register('long', async () => {
      runs += 1;
      await new Promise(resolve => setTimeout(resolve, 600));
    });
    queue.start();
    const jobId = await queue.enqueue(knex, { type: 'long', payload: {} });
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(runs).toBe(1);
    expect((await store.getJob(jobId))!.attempts).toBe(1);
  });

  it("completes a crashed worker's job once its lease expires", async () => {
    const { knex, store, queue } = await setup();
    const jobId = await store.enqueue(knex, { type: 'a', payload: {} });
    // A worker that claimed the job and died: nobody renews its lease.
    await store.settleAndClaim('dead-worker', [], {
      leaseMs: 100,
      slots: [{ type: 'a', limit: 1 }],
      total: 1,
    });
    const ranBy: string[] = [];
    queue.register('a', async ({ job }) => {
      ranBy.push(`attempt ${job.attempts}`);
    });
    queue.start();
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(ranBy).toEqual(['attempt 2']);
  });

  it('finishes in-flight jobs on shutdown and releases those that overrun', async () => {
    const { knex, store, queue } = await setup({ shutdownGraceMs: 300 });
    const quickStarted = deferred();
    const slowStarted = deferred();
    let slowAborted = false;
    queue.register('quick', async () => {
      quickStarted.resolve();
      await new Promise(resolve => setTimeout(resolve, 100));
    });
    queue.register('slow', async ({ signal }) => {
      slowStarted.resolve();
      await new Promise<void>(resolve => {
        signal.addEventListener('abort', () => {
          slowAborted = true;
          resolve();
        });
      });
    });
    queue.start();
    const quick = await queue.enqueue(knex, { type: 'quick', payload: {} });
    const slow = await queue.enqueue(knex, { type: 'slow', payload: {} });
    await Promise.all([quickStarted.promise, slowStarted.promise]);

    await queue.stop();

    expect(await store.getJob(quick)).toMatchObject({ state: 'succeeded' });
    expect(await store.getJob(slow)).toMatchObject({
      state: 'queued',
      attempts: 0,
      lockedBy: null,
    });
    expect(slowAborted).toBe(true);

    // Another instance picks the released job up.
    const next = newQueue(store);
    next.register('slow', async () => {});
    next.start();
    await waitFor(
      async () => (await store.getJob(slow))!.state === 'succeeded',
    );
  });

  it('claims jobs up to claimAheadMs early and starts each at its run time', async () => {
    const { knex, store, queue } = await setup({ claimAheadMs: 2_000 });
    const startedAt = new Map<string, number>();
    queue.register('probe', async ({ job }) => {
      startedAt.set(job.id, Date.now());
    });
    const soonAt = new Date(Date.now() + 400);
    const laterAt = new Date(Date.now() + 3_000);
    const soon = await store.enqueue(knex, {
      type: 'probe',
      payload: {},
      runAt: soonAt,
    });
    const later = await store.enqueue(knex, {
      type: 'probe',
      payload: {},
      runAt: laterAt,
    });
    queue.start();

    await waitFor(async () => (await store.getJob(soon))!.state === 'running');
    const seenRunningAt = Date.now();
    expect(seenRunningAt).toBeLessThan(soonAt.getTime());
    expect(startedAt.has(soon)).toBe(false);
    expect((await store.getJob(later))!.state).toBe('queued');

    await waitFor(
      async () => (await store.getJob(soon))!.state === 'succeeded',
    );
    expect(startedAt.get(soon)).toBeGreaterThanOrEqual(soonAt.getTime());
    // Still more than the window ahead of the later job: it waits queued.
    expect(Date.now()).toBeLessThan(laterAt.getTime() - 2_000);
    expect((await store.getJob(later))!.state).toBe('queued');

    await waitFor(
      async () => (await store.getJob(later))!.state === 'succeeded',
    );
    expect(startedAt.get(later)).toBeGreaterThanOrEqual(laterAt.getTime());
    const claimOfLater = store.calls.find(c =>
      c.claimed.some(j => j.id === later),
    )!;
    expect(claimOfLater.at).toBeGreaterThanOrEqual(laterAt.getTime() - 2_000);
    expect(claimOfLater.at).toBeLessThan(laterAt.getTime());
  });

  it('gives a job claimed ahead back unrun on stop, for the next instance to run at its run time', async () => {
    const { knex, store, queue } = await setup({ claimAheadMs: 2_000 });
    const ran: string[] = [];
    queue.register('probe', async () => {
      ran.push('first');
    });
    queue.start();
    const runAt = new Date(Date.now() + 1_000);
    const jobId = await queue.enqueue(knex, {
      type: 'probe',
      payload: {},
      runAt,
    });
    await waitFor(async () => (await store.getJob(jobId))!.state === 'running');

    await queue.stop();

    expect(ran).toEqual([]);
    expect(await store.getJob(jobId)).toMatchObject({
      state: 'queued',
      attempts: 0,
      lockedBy: null,
      runAt,
    });
    let startedAt = 0;
    const next = newQueue(store, { claimAheadMs: 2_000 });
    next.register('probe', async () => {
      ran.push('next');
      startedAt = Date.now();
    });
    next.start();
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
    );
    expect(ran).toEqual(['next']);
    expect(startedAt).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('does not start a job claimed ahead once its lease is lost', async () => {
    const { knex, store, queue } = await setup({
      claimAheadMs: 2_000,
      leaseMs: 150,
    });
    const ran: string[] = [];
    queue.register('probe', async () => {
      ran.push('probe');
    });
    queue.start();
    const runAt = new Date(Date.now() + 1_000);
    const jobId = await queue.enqueue(knex, {
      type: 'probe',
      payload: {},
      runAt,
    });
    await waitFor(async () => (await store.getJob(jobId))!.state === 'running');
    // Another worker holds the job now (as after an expired lease).
    await knex('jobs')
      .where({ id: jobId })
      .update({
        locked_by: 'other-worker',
        locked_until: new Date(Date.now() + 60_000),
      });

    await new Promise(resolve =>
      setTimeout(resolve, runAt.getTime() - Date.now() + 300),
    );
    expect(ran).toEqual([]);
    expect((await store.getJob(jobId))!.lockedBy).toBe('other-worker');
  });

  it('records many completions in one statement with settleDelayMs', async () => {
    const { knex, store, queue } = await setup({
      concurrency: 30,
      settleDelayMs: 300,
      // Only due jobs and the settle delay start rounds here, not polling.
      pollIntervalMs: 60_000,
    });
    queue.register('probe', async ({ job }) => {
      await new Promise(resolve =>
        setTimeout(resolve, 5 * Number(job.payload.n)),
      );
    });
    await store.enqueueMany(
      knex,
      Array.from({ length: 20 }, (_, n) => ({ type: 'probe', payload: { n } })),
    );
    queue.start();

    await waitFor(async () =>
      (
        await store.countByTypeAndState()
      ).some(c => c.state === 'succeeded' && c.count === 20),
    );
    expect(await store.countByTypeAndState()).toEqual([
      { type: 'probe', state: 'succeeded', count: 20 },
    ]);
    expect(store.calls.length).toBeLessThanOrEqual(5);
    expect(store.calls.reduce((n, c) => n + c.settled, 0)).toBe(20);
  });

  it('tells the other instances only of the jobs it has no free slot for', async () => {
    const { knex, store } = await setup();
    const announced: string[][] = [];
    const wakeups: JobWakeups = {
      start: () => {},
      announce: types => announced.push([...types]),
      stop: async () => {},
    };
    const queue = new JobQueue(
      store,
      mockServices.logger.mock(),
      { ...fast, concurrency: 2 },
      wakeups,
    );
    queues.push(queue);
    const release = deferred();
    let running = 0;
    queue.register('a', async () => {
      running += 1;
      await release.promise;
    });
    const enqueue = (...types: string[]) =>
      knex.transaction(async trx => {
        for (const type of types)
          await queue.enqueue(trx, { type, payload: {} });
      });

    // Not started yet: it runs nothing, the others are told.
    await enqueue('a');
    expect(announced).toEqual([['a']]);
    queue.start();
    await waitFor(() => running === 1);

    // One free slot: it takes the first job of a transaction and tells the
    // others of the second; of a type it does not run, always.
    announced.length = 0;
    await enqueue('a', 'a');
    await enqueue('b');
    await waitFor(() => announced.length === 2);
    expect(announced).toEqual([['a'], ['b']]);
    await waitFor(() => running === 2);
    release.resolve();
  });

  if (id.startsWith('POSTGRES')) {
    it('wakes other instances through LISTEN/NOTIFY, not polling', async () => {
      const { knex, store } = await setup();
      const logger = mockServices.logger.mock();
      const instance = (pollIntervalMs: number) => {
        const queue = new JobQueue(
          store,
          logger,
          { ...fast, pollIntervalMs },
          PgListenWakeups.fromKnex(knex, logger),
        );
        queues.push(queue);
        return queue;
      };
      const listener = instance(60_000);
      const ran = deferred<number>();
      listener.register('a', async () => ran.resolve(Date.now()));
      listener.start();
      // The producer handles nothing: it only enqueues, as a webhook-receiving
      // instance does.
      const producer = instance(60_000);
      producer.start();
      // Let both LISTEN connections come up and the first idle wait begin.
      await new Promise(resolve => setTimeout(resolve, 500));

      const enqueuedAt = Date.now();
      await knex.transaction(trx =>
        producer.enqueue(trx, { type: 'a', payload: {} }),
      );
      const startedAt = await ran.promise;
      expect(startedAt - enqueuedAt).toBeLessThan(2_000);
    });

    it('wakes a queue only for the job types it runs', async () => {
      const { knex } = await setup();
      const logger = mockServices.logger.mock();
      const wakeups = [1, 2, 3].map(() =>
        PgListenWakeups.fromKnex(knex, logger),
      );
      stoppables.push(...wakeups);
      const [runsA, runsB, announcer] = wakeups;
      const wakesOf = (runs: PgListenWakeups, type: string) => {
        const wakes = { connected: deferred(), count: 0 };
        runs.start(() => {
          wakes.count += 1;
          wakes.connected.resolve();
        }, new Set([type]));
        return wakes;
      };
      const a = wakesOf(runsA, 'a');
      const b = wakesOf(runsB, 'b');
      announcer.start(() => {}, new Set());
      // Each wakes once on connecting (jobs may have come meanwhile).
      await Promise.all([a.connected.promise, b.connected.promise]);
      a.count = 0;
      b.count = 0;

      announcer.announce(['b']);
      await waitFor(() => b.count === 1, { what: 'the wake for b' });
      announcer.announce(['c', 'a']);
      await waitFor(() => a.count > 0, { what: 'the wake for a' });
      // Had b's notification (which came first) woken the queue that runs
      // a, this one would have been a second wake; give it time to arrive.
      await new Promise(resolve => setTimeout(resolve, 200));
      expect(a.count).toBe(1);
      expect(b.count).toBe(1);
    });
  }
});
