/*
 * A job queue in a process of its own, for the crash-recovery and
 * multi-process tests (PostgreSQL). Its 'record' handler inserts the job id
 * into test_executions, whose primary key turns any second execution into an
 * error. With OPSHUB_TEST_HANG set it announces the job and hangs instead, so
 * the test can kill it mid-job.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import { DatabaseJobStore } from '../DatabaseJobStore';
import { JobQueue } from '../JobQueue';
import { PgListenWakeups } from '../PgListenWakeups';

const name = process.env.OPSHUB_TEST_WORKER ?? 'worker';
const logger: LoggerService = {
  info: () => {},
  debug: () => {},
  warn: message => process.stderr.write(`${name} warn: ${message}\n`),
  error: message => process.stderr.write(`${name} error: ${message}\n`),
  child: () => logger,
};

const knex = knexFactory({
  client: 'pg',
  connection: JSON.parse(process.env.OPSHUB_TEST_CONNECTION!),
  pool: { min: 1, max: 5 },
});
const store = new DatabaseJobStore(knex);
const queue = new JobQueue(
  store,
  logger,
  {
    concurrency: Number(process.env.OPSHUB_TEST_CONCURRENCY ?? 2),
    leaseMs: Number(process.env.OPSHUB_TEST_LEASE_MS ?? 30_000),
    pollIntervalMs: 200,
    recoveryIntervalMs: 200,
  },
  PgListenWakeups.fromKnex(knex, logger),
);

queue.register('record', async ({ job }) => {
  if (process.env.OPSHUB_TEST_HANG) {
    process.stdout.write(`started ${job.id}\n`);
    await new Promise(() => {});
  }
  await knex('test_executions').insert({ job_id: job.id, worker: name });
});

/**
 * 'grouped': counts itself in test_group_busy while it runs; a count above
 * one is a second job of the group running at the same time.
 */
queue.register('grouped', async ({ job }) => {
  const group = String(job.group);
  await knex.raw(
    `UPDATE test_group_busy
       SET busy = busy + 1, max_busy = GREATEST(max_busy, busy + 1)
     WHERE grp = ?`,
    [group],
  );
  await new Promise(resolve => setTimeout(resolve, 2));
  await knex('test_group_busy').where({ grp: group }).decrement('busy', 1);
  await knex('test_executions').insert({ job_id: job.id, worker: name });
});

queue.start();
process.stdout.write(`ready ${queue.workerId}\n`);

process.on('SIGTERM', () => {
  queue
    .stop()
    .then(() => store.close())
    .then(() => knex.destroy())
    .then(() => process.exit(0));
});
