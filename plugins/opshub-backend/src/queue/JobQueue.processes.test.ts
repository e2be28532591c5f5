import { type ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import {
  createTestDatabases,
  describeOnPostgres,
} from '../__testUtils__/databases';
import { waitFor } from '../__testUtils__/waitFor';
import { DatabaseJobStore } from './DatabaseJobStore';

jest.setTimeout(180_000);

const databases = createTestDatabases();
// Several processes on one database: PostgreSQL only (SQLite serves one instance).
describeOnPostgres(databases, 'job queue processes on %s', id => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    await knex.schema.createTable('test_executions', table => {
      table.string('job_id').primary();
      table.string('worker').notNullable();
    });
    return { knex, store: new DatabaseJobStore(knex) };
  }

  function startWorker(
    knex: Knex,
    name: string,
    env: Record<string, string> = {},
  ) {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        resolvePath(__dirname, '__testUtils__/queueWorkerProcess.ts'),
      ],
      {
        env: {
          ...process.env,
          OPSHUB_TEST_WORKER: name,
          OPSHUB_TEST_CONNECTION: JSON.stringify(
            (knex.client as { connectionSettings: unknown }).connectionSettings,
          ),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', chunk => {
      output += chunk;
    });
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', code => resolve(code)),
    );
    return {
      child,
      exited,
      waitForOutput: (pattern: RegExp) =>
        waitFor(() => output.match(pattern), {
          timeoutMs: 60_000,
          what: `${name} to print ${pattern}`,
        }),
    };
  }

  /**
   * Workers 'one' and 'two', once both run their queues: jobs enqueued
   * before one of them is up could all go to the other.
   */
  async function startReadyWorkers(knex: Knex, env: Record<string, string>) {
    const workers = ['one', 'two'].map(name => startWorker(knex, name, env));
    await Promise.all(workers.map(w => w.waitForOutput(/ready \S+/)));
    return workers;
  }

  /** Waits for `total` jobs to succeed, then stops the workers cleanly. */
  async function drain(
    knex: Knex,
    workers: Array<ReturnType<typeof startWorker>>,
    total: number,
  ) {
    await waitFor(
      async () => {
        const [{ count }] = await knex('jobs')
          .where('state', 'succeeded')
          .count({ count: '*' });
        return Number(count) === total;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'all jobs to succeed' },
    );
    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map(w => w.exited))).toEqual([0, 0]);
  }

  it('completes the job of a process killed with SIGKILL mid-job', async () => {
    const { knex, store } = await setup();
    const jobId = await store.enqueue(knex, { type: 'record', payload: {} });

    const doomed = startWorker(knex, 'doomed', {
      OPSHUB_TEST_HANG: '1',
      OPSHUB_TEST_LEASE_MS: '1000',
    });
    const [, doomedId] = await doomed.waitForOutput(/ready (\S+)/);
    await doomed.waitForOutput(new RegExp(`started ${jobId}\\b`));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(await store.getJob(jobId)).toMatchObject({
      state: 'running',
      lockedBy: doomedId,
    });

    startWorker(knex, 'survivor');
    await waitFor(
      async () => (await store.getJob(jobId))!.state === 'succeeded',
      {
        timeoutMs: 60_000,
        what: 'the survivor to complete the job',
      },
    );
    expect(await knex('test_executions')).toEqual([
      { job_id: jobId, worker: 'survivor' },
    ]);
    expect((await store.getJob(jobId))!.attempts).toBe(2);
  });

  it('drains thousands of jobs from two processes without a duplicate', async () => {
    const { knex, store } = await setup();
    const total = 3000;
    const workers = await startReadyWorkers(knex, {
      OPSHUB_TEST_CONCURRENCY: '4',
    });
    await knex.transaction(async trx => {
      for (let i = 0; i < total; i++) {
        await store.enqueue(trx, { type: 'record', payload: { i } });
      }
    });
    await drain(knex, workers, total);

    // The primary key on job_id would have failed any second execution.
    const byWorker = (await knex('test_executions')
      .select('worker')
      .count({ count: '*' })
      .groupBy('worker')
      .orderBy('worker')) as Array<{ worker: string; count: string }>;
    expect(byWorker.map(row => row.worker)).toEqual(['one', 'two']);
    expect(byWorker.reduce((sum, row) => sum + Number(row.count), 0)).toBe(
      total,
    );
    const [{ retried }] = await knex('jobs')
      .where('attempts', '>', 1)
      .count({ retried: '*' });
    expect(Number(retried)).toBe(0);
  });

  it('runs one job of an exclusion group at a time across two processes', async () => {
    const { knex, store } = await setup();
    const groups = Array.from({ length: 8 }, (_, i) => `g${i}`);
    await knex.schema.createTable('test_group_busy', table => {
      table.string('grp').primary();
      table.integer('busy').notNullable().defaultTo(0);
      table.integer('max_busy').notNullable().defaultTo(0);
    });
    await knex('test_group_busy').insert(groups.map(grp => ({ grp })));
    const total = 400;
    const workers = await startReadyWorkers(knex, {
      OPSHUB_TEST_CONCURRENCY: '8',
    });
    await knex.transaction(async trx => {
      for (let i = 0; i < total; i++) {
        await store.enqueue(trx, {
          type: 'grouped',
          group: groups[i % groups.length],
          payload: { i },
        });
      }
    });
    await drain(knex, workers, total);

    const busy = await knex('test_group_busy').orderBy('grp');
    expect(busy).toEqual(groups.map(grp => ({ grp, busy: 0, max_busy: 1 })));
    // Both processes took part, each job once.
    const byWorker = await knex('test_executions')
      .distinct('worker')
      .orderBy('worker');
    expect(byWorker).toEqual([{ worker: 'one' }, { worker: 'two' }]);
  });
});
