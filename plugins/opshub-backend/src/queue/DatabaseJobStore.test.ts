import { ConflictError, NotFoundError } from '@backstage/errors';
import knexFactory from 'knex';
import { migrateDownAll, migrateUp } from '../database/migrations';
import {
  createTestDatabases,
  describeOnPostgres,
} from '../__testUtils__/databases';
import { deferred } from '../__testUtils__/waitFor';
import { DatabaseJobStore } from './DatabaseJobStore';
import type { ClaimRequest } from './JobStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

function claimOf(type: string, total: number): ClaimRequest {
  return { leaseMs: 30_000, slots: [{ type, limit: total }], total };
}

describe.each(databases.eachSupportedId())('DatabaseJobStore on %s', id => {
  const stores: DatabaseJobStore[] = [];
  afterEach(() => Promise.all(stores.splice(0).map(s => s.close())));

  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseJobStore(knex);
    stores.push(store);
    return { knex, store };
  }

  it('migrates the jobs and deliveries tables up and down', async () => {
    const { knex } = await setup();
    expect(await knex.schema.hasTable('jobs')).toBe(true);
    expect(await knex.schema.hasTable('webhook_deliveries')).toBe(true);
    await migrateDownAll(knex);
    expect(await knex.schema.hasTable('jobs')).toBe(false);
    expect(await knex.schema.hasTable('webhook_deliveries')).toBe(false);
  });

  it('enqueues inside the caller transaction', async () => {
    const { knex, store } = await setup();
    await expect(
      knex.transaction(async trx => {
        await store.enqueue(trx, { type: 'a', payload: { n: 1 } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.listJobs({ limit: 10 })).toEqual([]);

    await knex.transaction(trx =>
      store.enqueue(trx, { type: 'a', payload: { n: 2 } }),
    );
    expect((await store.listJobs({ limit: 10 })).map(j => j.payload)).toEqual([
      { n: 2 },
    ]);
  });

  it('enqueues many keyless jobs in the caller transaction, each with its run time and group', async () => {
    const { knex, store } = await setup();
    const base = Date.now() - 1_000;
    const requests = Array.from({ length: 1_203 }, (_, n) => ({
      type: 'probe',
      payload: { n },
      group: `g${n % 7}`,
      runAt: new Date(base + n),
    }));
    await expect(
      knex.transaction(async trx => {
        await store.enqueueMany(trx, requests);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.listJobs({ limit: 10 })).toEqual([]);

    await knex.transaction(trx => store.enqueueMany(trx, requests));
    const rows = await knex('jobs').orderBy('run_at').select();
    expect(rows).toHaveLength(1_203);
    expect(rows.map(r => JSON.parse(r.payload).n)).toEqual(
      requests.map(r => r.payload.n),
    );
    expect(rows[8].exclusion_group).toBe('g1');
    // One per group is claimed, the earliest of each.
    const claimed = await store.settleAndClaim('w', [], claimOf('probe', 20));
    expect(
      claimed.map(j => j.payload.n).sort((a, b) => Number(a) - Number(b)),
    ).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(
      store.enqueueMany(knex, [{ type: 'probe', payload: {}, key: 'k' }]),
    ).rejects.toThrow('without keys');
  });

  it('claims due jobs by priority, then age, with a lease', async () => {
    const { knex, store } = await setup();
    const later = new Date(Date.now() + 60_000);
    const low = await store.enqueue(knex, { type: 'a', payload: { n: 'low' } });
    const high = await store.enqueue(knex, {
      type: 'a',
      payload: { n: 'high' },
      priority: 5,
    });
    await store.enqueue(knex, {
      type: 'a',
      payload: { n: 'later' },
      runAt: later,
    });
    await store.enqueue(knex, { type: 'other', payload: {} });

    const claimed = await store.settleAndClaim('worker-a', [], claimOf('a', 5));
    expect(claimed.map(j => j.id)).toEqual([high, low]);
    expect(claimed[0]).toMatchObject({
      state: 'running',
      attempts: 1,
      lockedBy: 'worker-a',
    });
    expect(claimed[0].lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    // Nothing else is due for this type; the other type was not asked for.
    expect(await store.settleAndClaim('worker-b', [], claimOf('a', 5))).toEqual(
      [],
    );
    expect((await store.nextRunAt(['a']))!.getTime()).toBe(later.getTime());
  });

  it('honours per-type limits and the total', async () => {
    const { knex, store } = await setup();
    for (let i = 0; i < 4; i++) {
      await store.enqueue(knex, { type: 'a', payload: { i } });
      await store.enqueue(knex, { type: 'b', payload: { i } });
    }
    const claimed = await store.settleAndClaim('w', [], {
      leaseMs: 1000,
      slots: [
        { type: 'a', limit: 1 },
        { type: 'b', limit: 3 },
      ],
      total: 3,
    });
    expect(claimed).toHaveLength(3);
    expect(claimed.filter(j => j.type === 'a').length).toBeLessThanOrEqual(1);
  });

  it('coalesces on key among queued jobs only', async () => {
    const { knex, store } = await setup();
    const first = await store.enqueue(knex, {
      type: 'create-preview',
      key: 'pr-1',
      payload: { sha: 'a' },
      runAt: new Date(Date.now() - 60_000),
    });
    const { runAt: firstRunAt } = (await store.getJob(first))!;
    const replaced = await store.enqueue(knex, {
      type: 'create-preview',
      key: 'pr-1',
      payload: { sha: 'b' },
    });
    expect(replaced).toBe(first);
    // The newer payload, in the older job's place in the queue.
    expect(await store.getJob(first)).toMatchObject({
      payload: { sha: 'b' },
      runAt: firstRunAt,
    });

    const [running] = await store.settleAndClaim(
      'w',
      [],
      claimOf('create-preview', 1),
    );
    expect(running.id).toBe(first);
    const waiting = await store.enqueue(knex, {
      type: 'create-preview',
      key: 'pr-1',
      payload: { sha: 'c' },
    });
    expect(waiting).not.toBe(first);
    expect((await store.getJob(first))!.payload).toEqual({ sha: 'b' });

    // A closed PR replaces the waiting create with a teardown.
    await store.enqueue(knex, {
      type: 'teardown-preview',
      key: 'pr-1',
      payload: { sha: 'c' },
    });
    expect(await store.getJob(waiting)).toMatchObject({
      type: 'teardown-preview',
      state: 'queued',
    });

    // The running job failing must not collide with the waiting one: it is
    // superseded instead of queued again.
    await store.settleAndClaim('w', [
      {
        id: first,
        attempts: 1,
        outcome: 'retry',
        runAt: new Date(),
        error: 'boom',
        errorClass: 'transient',
      },
    ]);
    expect(await store.getJob(first)).toMatchObject({
      state: 'cancelled',
      errorClass: 'superseded',
    });
  });

  it('claims at most one job of an exclusion group, and none while one runs', async () => {
    const { knex, store } = await setup();
    const enqueue = (type: string, group?: string) =>
      store.enqueue(knex, { type, group, payload: {} });
    const build = await enqueue('build', 'preview:7');
    const check = await enqueue('check', 'preview:7');
    const other = await enqueue('build', 'preview:8');
    const free = await enqueue('check');
    const claim: ClaimRequest = {
      leaseMs: 30_000,
      slots: [
        { type: 'build', limit: 5 },
        { type: 'check', limit: 5 },
      ],
      total: 10,
    };

    const first = await store.settleAndClaim('w', [], claim);
    expect(first.map(j => j.id).sort()).toEqual([build, other, free].sort());
    expect(first.find(j => j.id === build)).toMatchObject({
      group: 'preview:7',
    });
    // preview:7 has a running job: its check waits, however often asked.
    expect(await store.settleAndClaim('w', [], claim)).toEqual([]);
    expect(await store.nextRunAt(['build', 'check'])).toBeUndefined();

    // The build settles; the next claim takes the check.
    await store.settleAndClaim('w', [
      { id: build, attempts: 1, outcome: 'succeeded' },
    ]);
    expect(await store.nextRunAt(['check'])).toBeDefined();
    const second = await store.settleAndClaim('w', [], claim);
    expect(second.map(j => j.id)).toEqual([check]);
  });

  it('holds one running job per group in the database itself', async () => {
    const { knex, store } = await setup();
    const a = await store.enqueue(knex, { type: 'a', group: 'g', payload: {} });
    const b = await store.enqueue(knex, { type: 'a', group: 'g', payload: {} });
    await knex('jobs').where({ id: a }).update({ state: 'running' });
    // Matched as text: jest's toThrow did not always take the driver's
    // error for an Error (another realm), and reported "did not throw".
    const refusal = await knex('jobs')
      .where({ id: b })
      .update({ state: 'running' })
      .then(
        () => 'updated',
        (error: unknown) => String(error),
      );
    expect(refusal).toMatch(/unique/i);
  });

  it('replaces a waiting job only with one that is not older', async () => {
    const { knex, store } = await setup();
    const enqueue = (type: string, order: string) =>
      store.enqueue(knex, {
        type,
        key: 'pr-7',
        order,
        payload: { type, order },
      });
    const waiting = await enqueue(
      'create-preview',
      '2026-11-26T10:05:00.000Z|0',
    );
    // An older event arriving later replaces nothing.
    expect(await enqueue('create-preview', '2026-11-26T10:01:00.000Z|0')).toBe(
      waiting,
    );
    expect((await store.getJob(waiting))!.order).toBe(
      '2026-11-26T10:05:00.000Z|0',
    );
    // The same stamp received later replaces it; so does a closed one.
    await enqueue('teardown-preview', '2026-11-26T10:05:00.000Z|1');
    expect((await store.getJob(waiting))!.type).toBe('teardown-preview');
    // A waiting closed is never replaced by another action at its stamp...
    await enqueue('create-preview', '2026-11-26T10:05:00.000Z|0');
    expect((await store.getJob(waiting))!.type).toBe('teardown-preview');
    // ...but is by a later event (a reopen).
    await enqueue('create-preview', '2026-11-26T10:06:00.000Z|0');
    expect(await store.getJob(waiting)).toMatchObject({
      type: 'create-preview',
      state: 'queued',
    });
  });

  it('keeps the newer of a retried job and a waiting one with its key', async () => {
    const { knex, store } = await setup();
    const closed = await store.enqueue(knex, {
      type: 'teardown-preview',
      key: 'pr-7',
      order: '2026-11-26T10:05:00.000Z|1',
      payload: {},
    });
    await store.settleAndClaim('w', [], claimOf('teardown-preview', 1));
    // A late, older event waits behind the running teardown.
    const late = await store.enqueue(knex, {
      type: 'create-preview',
      key: 'pr-7',
      order: '2026-11-26T10:01:00.000Z|0',
      payload: {},
    });
    await store.settleAndClaim('w', [
      {
        id: closed,
        attempts: 1,
        outcome: 'retry',
        runAt: new Date(),
        error: 'provider down',
        errorClass: 'transient',
      },
    ]);
    // The teardown is not lost to the older event: it waits again.
    expect(await store.getJob(closed)).toMatchObject({ state: 'queued' });
    expect(await store.getJob(late)).toMatchObject({
      state: 'cancelled',
      errorClass: 'superseded',
    });

    // The same when its lease expires instead.
    await store.settleAndClaim('w', [], claimOf('teardown-preview', 1));
    const later = await store.enqueue(knex, {
      type: 'create-preview',
      key: 'pr-7',
      order: '2026-11-26T10:02:00.000Z|0',
      payload: {},
    });
    await knex('jobs')
      .where({ id: closed })
      .update({ locked_until: new Date(Date.now() - 1000) });
    await store.recoverExpiredLeases();
    expect(await store.getJob(closed)).toMatchObject({ state: 'queued' });
    expect(await store.getJob(later)).toMatchObject({ state: 'cancelled' });
  });

  it('enqueues the jobs of each entry whose guard row it inserted', async () => {
    const { knex, store } = await setup();
    await knex.schema.createTable('guards', table =>
      table.string('id').primary(),
    );
    const guardInsert = (ids: string[]) =>
      knex('guards')
        .insert(ids.map(guardId => ({ id: guardId })))
        .onConflict('id')
        .ignore()
        .returning('id as guard')
        .toSQL();
    await knex('guards').insert({ id: 'seen' });
    const queuedBefore = await store.enqueue(knex, {
      type: 'a',
      key: 'k0',
      payload: { n: 0 },
    });
    const runningBefore = await store.enqueue(knex, {
      type: 'b',
      key: 'k3',
      payload: { n: 0 },
    });
    await store.settleAndClaim('w', [], claimOf('b', 1));

    const jobIds = await store.enqueueGuarded(
      guardInsert(['seen', 'a', 'b', 'c']),
      [
        { guard: 'seen', requests: [{ type: 'a', key: 'k9', payload: {} }] },
        {
          guard: 'a',
          requests: [
            { type: 'a', key: 'k1', payload: { n: 1 } },
            { type: 'a', payload: { n: 'unkeyed' } },
            { type: 'a', key: 'k0', payload: { n: 2 } },
          ],
        },
        {
          guard: 'b',
          requests: [
            { type: 'a', key: 'k1', payload: { n: 3 } },
            { type: 'b', key: 'k3', payload: { n: 4 } },
          ],
        },
        { guard: 'c', requests: [] },
      ],
    );

    expect([...jobIds.keys()].sort()).toEqual(['a', 'b', 'c']);
    const [k1, unkeyed, k0] = jobIds.get('a')!;
    const [k1Again, k3] = jobIds.get('b')!;
    expect(jobIds.get('c')).toEqual([]);
    // Same key in one call: the last request wins, both get its id.
    expect(k1Again).toBe(k1);
    expect((await store.getJob(k1))!.payload).toEqual({ n: 3 });
    expect((await store.getJob(unkeyed))!.payload).toEqual({ n: 'unkeyed' });
    // A queued job with the key is replaced; a running one never.
    expect(k0).toBe(queuedBefore);
    expect((await store.getJob(k0))!.payload).toEqual({ n: 2 });
    expect(k3).not.toBe(runningBefore);
    expect(await store.getJob(k3)).toMatchObject({
      state: 'queued',
      payload: { n: 4 },
    });
    expect(await store.getJob(runningBefore)).toMatchObject({
      state: 'running',
    });
    const all = await store.listJobs({ limit: 10 });
    expect(all.map(job => job.key).sort()).toEqual([
      'k0',
      'k1',
      'k3',
      'k3',
      null,
    ]);
  });

  it('records deliveries whose events are older than the waiting one without replacing it', async () => {
    const { knex, store } = await setup();
    await knex.schema.createTable('guards', table =>
      table.string('id').primary(),
    );
    const guardInsert = (ids: string[]) =>
      knex('guards')
        .insert(ids.map(guardId => ({ id: guardId })))
        .returning('id as guard')
        .toSQL();
    const request = (type: string, order: string) => ({
      type,
      key: 'pr-7',
      order,
      group: 'preview:7',
      payload: { type },
    });
    const waiting = await store.enqueue(
      knex,
      request('teardown-preview', '2026-11-26T10:05:00.000Z|1'),
    );
    const jobIds = await store.enqueueGuarded(guardInsert(['d1', 'd2']), [
      {
        guard: 'd1',
        requests: [request('create-preview', '2026-11-26T10:01:00.000Z|0')],
      },
      {
        guard: 'd2',
        requests: [request('create-preview', '2026-11-26T10:05:00.000Z|0')],
      },
    ]);
    expect(jobIds.get('d1')).toEqual([waiting]);
    expect(jobIds.get('d2')).toEqual([waiting]);
    expect(await store.getJob(waiting)).toMatchObject({
      type: 'teardown-preview',
      group: 'preview:7',
    });
    expect(await store.listJobs({ limit: 10 })).toHaveLength(1);
  });

  it('claims jobs due by the claim cutoff, and none due after it', async () => {
    const { knex, store } = await setup();
    const now = Date.now();
    const enqueueAt = (n: string, offsetMs: number) =>
      store.enqueue(knex, {
        type: 'a',
        payload: { n },
        runAt: new Date(now + offsetMs),
      });
    const due = await enqueueAt('due', -1_000);
    const within = await enqueueAt('within', 1_500);
    const atCutoff = await enqueueAt('at cutoff', 2_000);
    const after = await enqueueAt('after', 2_500);

    const claimed = await store.settleAndClaim('w', [], {
      ...claimOf('a', 10),
      dueBefore: new Date(now + 2_000),
    });
    expect(claimed.map(j => j.id)).toEqual([due, within, atCutoff]);
    expect(claimed.every(j => j.state === 'running')).toBe(true);
    expect((await store.getJob(after))!.state).toBe('queued');
    // Without a cutoff, only jobs due now.
    expect(await store.settleAndClaim('w', [], claimOf('a', 10))).toEqual([]);
  });

  it('releases a job claimed ahead at its own run time', async () => {
    const { knex, store } = await setup();
    const runAt = new Date(Date.now() + 1_000);
    const jobId = await store.enqueue(knex, { type: 'a', payload: {}, runAt });
    await store.settleAndClaim('w', [], {
      ...claimOf('a', 1),
      dueBefore: new Date(runAt.getTime() + 1),
    });
    await store.settleAndClaim('w', [
      { id: jobId, attempts: 1, outcome: 'release', runAt },
    ]);
    expect(await store.getJob(jobId)).toMatchObject({
      state: 'queued',
      attempts: 0,
      lockedBy: null,
      runAt,
    });
  });

  it('records outcomes only for the lease holder and its attempt', async () => {
    const { knex, store } = await setup();
    const jobId = await store.enqueue(knex, { type: 'a', payload: {} });
    await store.settleAndClaim('w1', [], claimOf('a', 1));

    await store.settleAndClaim('w2', [
      { id: jobId, attempts: 1, outcome: 'succeeded' },
    ]);
    await store.settleAndClaim('w1', [
      { id: jobId, attempts: 2, outcome: 'succeeded' },
    ]);
    expect((await store.getJob(jobId))!.state).toBe('running');

    await store.settleAndClaim('w1', [
      { id: jobId, attempts: 1, outcome: 'succeeded' },
    ]);
    expect(await store.getJob(jobId)).toMatchObject({
      state: 'succeeded',
      lockedBy: null,
      finishedAt: expect.any(Date),
    });
  });

  it('reschedules and releases without counting the attempt', async () => {
    const { knex, store } = await setup();
    const jobId = await store.enqueue(knex, { type: 'a', payload: {} });
    await store.settleAndClaim('w', [], claimOf('a', 1));
    const runAt = new Date(Date.now() + 5000);
    await store.settleAndClaim('w', [
      { id: jobId, attempts: 1, outcome: 'reschedule', runAt },
    ]);
    expect(await store.getJob(jobId)).toMatchObject({
      state: 'queued',
      attempts: 0,
      runAt,
    });
  });

  it('extends leases, and returns expired ones to the queue or to dead', async () => {
    const { knex, store } = await setup();
    const kept = await store.enqueue(knex, { type: 'a', payload: {} });
    const lost = await store.enqueue(knex, { type: 'a', payload: {} });
    const exhausted = await store.enqueue(knex, {
      type: 'a',
      payload: {},
      maxAttempts: 1,
    });
    await store.settleAndClaim('w', [], {
      ...claimOf('a', 3),
      leaseMs: 1,
    });
    await new Promise(resolve => setTimeout(resolve, 20));

    expect(await store.extendLeases('w', [kept], 60_000)).toEqual([kept]);
    expect(await store.extendLeases('other', [lost], 60_000)).toEqual([]);

    await expect(store.recoverExpiredLeases()).resolves.toEqual({
      requeued: 1,
      dead: 1,
    });
    expect(await store.getJob(kept)).toMatchObject({ state: 'running' });
    expect(await store.getJob(lost)).toMatchObject({
      state: 'queued',
      lockedBy: null,
      errorClass: 'lease-expired',
    });
    expect(await store.getJob(exhausted)).toMatchObject({
      state: 'dead',
      errorClass: 'lease-expired',
    });
  });

  it('retries dead jobs, cancels queued ones, and says why it cannot', async () => {
    const { knex, store } = await setup();
    const jobId = await store.enqueue(knex, { type: 'a', payload: {} });
    await expect(store.retryDeadJob(jobId)).rejects.toThrow(ConflictError);
    await expect(store.retryDeadJob('999999')).rejects.toThrow(NotFoundError);
    await expect(store.retryDeadJob('not-a-number')).rejects.toThrow(
      NotFoundError,
    );

    await store.settleAndClaim('w', [], claimOf('a', 1));
    await store.settleAndClaim('w', [
      {
        id: jobId,
        attempts: 1,
        outcome: 'dead',
        error: 'x',
        errorClass: 'permanent',
      },
    ]);
    await expect(store.retryDeadJob(jobId)).resolves.toMatchObject({
      state: 'queued',
      attempts: 0,
      finishedAt: null,
    });
    await expect(store.cancelQueuedJob(jobId)).resolves.toMatchObject({
      state: 'cancelled',
    });
    await expect(store.cancelQueuedJob(jobId)).rejects.toThrow(
      `Job ${jobId} is cancelled, not queued`,
    );
  });

  it('counts, lists with filters and deletes finished jobs past retention', async () => {
    const { knex, store } = await setup();
    const a1 = await store.enqueue(knex, { type: 'a', payload: {} });
    await store.enqueue(knex, { type: 'a', payload: {} });
    const b1 = await store.enqueue(knex, { type: 'b', payload: {} });
    await store.cancelQueuedJob(b1);

    expect(await store.countByTypeAndState()).toEqual([
      { type: 'a', state: 'queued', count: 2 },
      { type: 'b', state: 'cancelled', count: 1 },
    ]);
    expect(
      (await store.listJobs({ limit: 10, type: 'a', state: 'queued' })).length,
    ).toBe(2);
    const [newest] = await store.listJobs({ limit: 1, type: 'a' });
    expect(
      (await store.listJobs({ limit: 10, beforeId: newest.id })).map(j => j.id),
    ).toEqual([a1]);

    expect(
      await store.deleteFinishedBefore(new Date(Date.now() - 60_000)),
    ).toBe(0);
    expect(
      await store.deleteFinishedBefore(new Date(Date.now() + 60_000)),
    ).toBe(1);
    expect(await store.getJob(b1)).toBeUndefined();
  });
});

describeOnPostgres(databases, 'DatabaseJobStore claim connection on %s', id => {
  it('claims again after the server drops its connection', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseJobStore(knex);
    try {
      const first = await store.enqueue(knex, { type: 'a', payload: {} });
      const second = await store.enqueue(knex, { type: 'a', payload: {} });
      expect(
        (await store.settleAndClaim('w', [], claimOf('a', 1))).map(j => j.id),
      ).toEqual([first]);

      const terminated = await knex.raw(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND query LIKE '%synchronous_commit%'`,
      );
      expect(terminated.rows).toHaveLength(1);

      // The call that meets the dropped connection may fail; the next one
      // connects again, prepares the statement again and goes on.
      let failures = 0;
      let claimed: string[] = [];
      for (let call = 0; call < 3 && claimed.length === 0; call++) {
        try {
          claimed = (
            await store.settleAndClaim(
              'w',
              [{ id: first, attempts: 1, outcome: 'succeeded' }],
              claimOf('a', 1),
            )
          ).map(j => j.id);
        } catch {
          failures += 1;
        }
      }
      expect(failures).toBeLessThanOrEqual(1);
      expect(claimed).toEqual([second]);
      expect(await store.getJob(first)).toMatchObject({ state: 'succeeded' });
    } finally {
      await store.close();
    }
  });

  it('records guarded jobs while jobs hold every pooled connection', async () => {
    const admin = await databases.init(id);
    const knex = knexFactory({
      client: 'pg',
      connection: (admin.client as { connectionSettings: object })
        .connectionSettings,
      pool: { min: 0, max: 1, acquireTimeoutMillis: 2_000 },
    });
    const store = new DatabaseJobStore(knex);
    const release = deferred();
    try {
      await migrateUp(knex);
      await knex.schema.createTable('guards', table =>
        table.string('id').primary(),
      );
      // A job's transaction holds the pool's only connection.
      const held = knex.transaction(async trx => {
        await trx('jobs').count();
        await release.promise;
      });
      const jobIds = await store.enqueueGuarded(
        knex('guards').insert({ id: 'd1' }).returning('id as guard').toSQL(),
        [{ guard: 'd1', requests: [{ type: 'a', payload: { n: 1 } }] }],
      );
      expect(jobIds.get('d1')).toHaveLength(1);
      release.resolve();
      await held;
      expect(await store.getJob(jobIds.get('d1')![0])).toMatchObject({
        state: 'queued',
        payload: { n: 1 },
      });
    } finally {
      release.resolve();
      await store.close();
      await knex.destroy();
    }
  });

  it("claims from the plugin's own schema (pluginDivisionMode: schema)", async () => {
    const admin = await databases.init(id);
    await admin.raw('CREATE SCHEMA plugin_opshub');
    // As Backstage configures a plugin's client in schema mode; nothing of
    // OpsHub exists in the public schema of this database.
    const knex = knexFactory({
      client: 'pg',
      connection: (admin.client as { connectionSettings: object })
        .connectionSettings,
      searchPath: ['plugin_opshub'],
    });
    const store = new DatabaseJobStore(knex);
    try {
      await migrateUp(knex);
      await knex.schema.createTable('guards', table =>
        table.string('id').primary(),
      );
      const guarded = await store.enqueueGuarded(
        knex('guards').insert({ id: 'd1' }).returning('id as guard').toSQL(),
        [{ guard: 'd1', requests: [{ type: 'b', payload: {} }] }],
      );
      expect(
        await admin('plugin_opshub.jobs')
          .where({ id: guarded.get('d1')![0] })
          .first('type'),
      ).toEqual({ type: 'b' });
      const jobId = await store.enqueue(knex, { type: 'a', payload: {} });
      const [claimed] = await store.settleAndClaim('w', [], claimOf('a', 1));
      expect(claimed.id).toBe(jobId);
      await store.settleAndClaim('w', [
        { id: jobId, attempts: 1, outcome: 'succeeded' },
      ]);
      expect(
        await admin('plugin_opshub.jobs').where({ id: jobId }).first('state'),
      ).toEqual({ state: 'succeeded' });
    } finally {
      await store.close();
      await knex.destroy();
    }
  });
});
