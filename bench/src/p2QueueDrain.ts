/*
 * P2 queue drain: 20,000 no-op jobs on PostgreSQL drained by OpsHub's job
 * queue (the code the backend runs: DatabaseJobStore + JobQueue with
 * LISTEN/NOTIFY) at concurrency 2, as the backend runs it and again with
 * synchronous commits, beside graphile-worker at concurrency 2 with default
 * settings and again with its local queue and batched completion; then
 * pickup latency (enqueue to handler start) for jobs added one at a time
 * through each system's own API. Repeats interleave the systems so machine
 * drift hits all alike.
 *
 * Commit modes, printed in each row: OpsHub records successes and claims in
 * one statement per round, with `synchronous_commit = off` by default (no
 * wait for the WAL flush; a lost claim or outcome runs the job again), or
 * `on` with `new DatabaseJobStore(knex, { synchronousCommit: true })`.
 * graphile-worker 0.18 never sets `synchronous_commit` (its source has no
 * mention of it), so every commit takes the server's setting (`on` unless
 * the server says otherwise; the run prints it): by default one transaction
 * per claim (`get_job`) and one per completion, each waiting for the flush;
 * batched, it claims up to 100 jobs per statement into a local queue and
 * completes the jobs that finish in one tick with one statement: fewer
 * commits, each still waiting for the flush.
 *
 *   yarn workspace @internal/opshub-bench p2 [--repeats 3] [--jobs 20000]
 *     [--pickups 200]
 */
import { migrateUp } from '@opshub/plugin-opshub-backend/src/database/migrations';
import { DatabaseJobStore } from '@opshub/plugin-opshub-backend/src/queue/DatabaseJobStore';
import { JobQueue } from '@opshub/plugin-opshub-backend/src/queue/JobQueue';
import { PgListenWakeups } from '@opshub/plugin-opshub-backend/src/queue/PgListenWakeups';
import {
  Logger,
  makeWorkerUtils,
  run as runGraphileWorker,
  runMigrations,
} from 'graphile-worker';
import { quietLogger as logger } from './lib/logger';
import {
  checkpoint,
  connect,
  freshDatabase,
  PG_URL,
  waitUntil,
} from './lib/postgres';
import {
  median,
  numberFromArgs,
  passOrFail,
  percentile,
  repeatsFromArgs,
  round,
} from './lib/stats';

const JOBS = numberFromArgs('jobs', 20_000, { min: 1, integer: true });
const CONCURRENCY = 2;
const PICKUPS = numberFromArgs('pickups', 200, { min: 1, integer: true });
const PICKUP_SPACING_MS = 20;

type Result = { jobsPerSecond: number; pickupP50: number; pickupP99: number };

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function opshubQueue(options: {
  synchronousCommit: boolean;
}): Promise<Result> {
  const url = await freshDatabase(
    options.synchronousCommit
      ? 'opshub_bench_p2_opshub_sync'
      : 'opshub_bench_p2_opshub',
  );
  const knex = connect(url);
  await migrateUp(knex);
  const now = new Date();
  const rows = Array.from({ length: JOBS }, (_, i) => ({
    type: 'noop',
    payload: JSON.stringify({ i }),
    state: 'queued',
    priority: 0,
    attempts: 0,
    max_attempts: 5,
    run_at: now,
    created_at: now,
    updated_at: now,
  }));
  await knex.batchInsert('jobs', rows, 1000);
  await checkpoint();

  const store = new DatabaseJobStore(knex, {
    synchronousCommit: options.synchronousCommit,
  });
  const queue = new JobQueue(
    store,
    logger,
    { concurrency: CONCURRENCY },
    PgListenWakeups.fromKnex(knex, logger),
  );
  const pickups: number[] = [];
  queue.register('noop', async ({ job }) => {
    const enqueuedAt = job.payload.enqueuedAt;
    if (typeof enqueuedAt === 'number') pickups.push(Date.now() - enqueuedAt);
  });

  const started = process.hrtime.bigint();
  queue.start();
  // Done when no job is queued or running (both partial indexes: cheap).
  const drained = async () =>
    !(await knex('jobs').whereIn('state', ['queued', 'running']).first('id'));
  await waitUntil(drained, 300_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  // Pickup: each system's own enqueue API, one job at a time.
  for (let i = 0; i < PICKUPS; i++) {
    await queue.enqueue(knex, {
      type: 'noop',
      payload: { enqueuedAt: Date.now() },
    });
    await sleep(PICKUP_SPACING_MS);
  }
  await waitUntil(async () => pickups.length === PICKUPS, 30_000);
  await queue.stop();
  await store.close();
  await knex.destroy();
  return summarize(seconds, pickups);
}

async function graphileWorker(options: { batched: boolean }): Promise<Result> {
  const url = await freshDatabase(
    options.batched ? 'opshub_bench_p2_gw_batched' : 'opshub_bench_p2_gw',
  );
  await runMigrations({ connectionString: url });
  const knex = connect(url);
  for (let from = 0; from < JOBS; from += 1000) {
    const count = Math.min(1000, JOBS - from);
    await knex.raw(
      `SELECT graphile_worker.add_jobs(array(
         SELECT json_populate_record(null::graphile_worker.job_spec,
           json_build_object('identifier', 'noop', 'payload', json_build_object('i', g)))
         FROM generate_series(1, ?) g))`,
      [count],
    );
  }
  await checkpoint();

  const pickups: number[] = [];
  const started = process.hrtime.bigint();
  const runner = await runGraphileWorker({
    connectionString: url,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    // Its default logger prints a line per job; silence it, as ours is.
    logger: new Logger(() => () => {}),
    taskList: {
      noop: async payload => {
        const enqueuedAt = (payload as { enqueuedAt?: number }).enqueuedAt;
        if (typeof enqueuedAt === 'number') {
          pickups.push(Date.now() - enqueuedAt);
        }
      },
    },
    preset: options.batched
      ? {
          worker: {
            localQueue: { size: 100 },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          },
        }
      : undefined,
  });
  const drained = async () =>
    (await knex.raw('SELECT 1 FROM graphile_worker.jobs LIMIT 1')).rows
      .length === 0;
  await waitUntil(drained, 300_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const utils = await makeWorkerUtils({ connectionString: url });
  for (let i = 0; i < PICKUPS; i++) {
    await utils.addJob('noop', { enqueuedAt: Date.now() });
    await sleep(PICKUP_SPACING_MS);
  }
  await waitUntil(async () => pickups.length === PICKUPS, 30_000);
  await utils.release();
  await runner.stop();
  await knex.destroy();
  return summarize(seconds, pickups);
}

function summarize(seconds: number, pickups: number[]): Result {
  return {
    jobsPerSecond: round(JOBS / seconds, 0),
    pickupP50: round(percentile(pickups, 50)),
    pickupP99: round(percentile(pickups, 99)),
  };
}

/** The server's `synchronous_commit`, which graphile-worker's commits take. */
async function serverSynchronousCommit(): Promise<string> {
  const knex = connect(`${PG_URL}/postgres`, 1);
  try {
    const { rows } = await knex.raw('SHOW synchronous_commit');
    return String(rows[0].synchronous_commit);
  } finally {
    await knex.destroy();
  }
}

type System = {
  name: string;
  /** How its claims and completions commit. */
  commit: string;
  run: () => Promise<Result>;
};

async function main() {
  const repeats = repeatsFromArgs();
  const server = await serverSynchronousCommit();
  const ROUND = 'successes + claim in one statement per round';
  const systems: System[] = [
    {
      name: 'opshub queue (concurrency 2)',
      commit: `synchronous_commit off (the default): ${ROUND}`,
      run: () => opshubQueue({ synchronousCommit: false }),
    },
    {
      name: 'opshub queue, synchronous commit (concurrency 2)',
      commit: `synchronous_commit on (synchronousCommit: true): ${ROUND}`,
      run: () => opshubQueue({ synchronousCommit: true }),
    },
    {
      name: 'graphile-worker default (concurrency 2)',
      commit: `synchronous_commit ${server} (server setting; it sets none): one commit per claim, one per completion`,
      run: () => graphileWorker({ batched: false }),
    },
    {
      name: 'graphile-worker local queue + batched completion',
      commit: `synchronous_commit ${server} (server setting; it sets none): claims of up to 100, completions batched per tick`,
      run: () => graphileWorker({ batched: true }),
    },
  ];
  const results = new Map<string, Result[]>(
    systems.map(({ name }) => [name, []]),
  );
  for (let r = 1; r <= repeats; r++) {
    for (const { name, commit, run } of systems) {
      const result = await run();
      results.get(name)!.push(result);
      console.log(
        `P2 repeat ${r} ${name}: ${result.jobsPerSecond} jobs/s, pickup p50 ${result.pickupP50} ms, p99 ${result.pickupP99} ms; commit: ${commit}`,
      );
    }
  }
  console.log(
    `\nP2 queue drain: ${JOBS} no-op jobs, medians of ${repeats} (server synchronous_commit: ${server})`,
  );
  const medians = new Map(
    [...results].map(([name, rs]) => [
      name,
      {
        jobsPerSecond: median(rs.map(x => x.jobsPerSecond)),
        pickupP50: median(rs.map(x => x.pickupP50)),
        pickupP99: median(rs.map(x => x.pickupP99)),
      },
    ]),
  );
  for (const { name, commit } of systems) {
    const m = medians.get(name)!;
    console.log(
      `  ${name.padEnd(50)} ${String(m.jobsPerSecond).padStart(
        6,
      )} jobs/s  pickup p50 ${m.pickupP50} ms  p99 ${
        m.pickupP99
      } ms  commit: ${commit}`,
    );
  }
  const ours = medians.get(systems[0].name)!;
  const oursSynchronous = medians.get(systems[1].name)!;
  const baseline = medians.get(systems[2].name)!;
  const ratio = ours.jobsPerSecond / baseline.jobsPerSecond;
  console.log(
    `  throughput vs graphile-worker default: ${round(
      ratio,
      2,
    )}x (goal >= 1.0: ${passOrFail(ratio >= 1)}); pickup p50 ${
      ours.pickupP50
    } vs ${baseline.pickupP50} ms (goal: no worse: ${passOrFail(
      ours.pickupP50 <= baseline.pickupP50,
    )})`,
  );
  console.log(
    `  with synchronous commit (both wait for the WAL flush) vs graphile-worker default: ${round(
      oursSynchronous.jobsPerSecond / baseline.jobsPerSecond,
      2,
    )}x; pickup p50 ${oursSynchronous.pickupP50} vs ${baseline.pickupP50} ms`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
