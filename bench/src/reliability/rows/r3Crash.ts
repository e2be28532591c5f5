/*
 * R3 crash: PRs (500; 100 with --quick) opened on an entity on the Vercel
 * provider through packages/backend on PostgreSQL (port 7042, databases
 * `opshub_bench_r3_*`) with the recording fake GitHub and a fake Slack
 * (previewWorld/) and the fake Vercel (vercel/vercelEntity.ts), whose
 * builds take BUILD_SECONDS. The fakes run in the bench's process: what
 * Vercel holds outlives the backend, as the real one's does.
 * Once every delivery is accepted and KILL_AT of the previews have their
 * deploy created (the rest still being created, the first ones building
 * or ready, their GitHub and Slack jobs running), the next CONCURRENCY
 * creates reach Vercel but get no answer (the fake's `lostCreateAnswers`),
 * and then the backend's process group gets SIGKILL; the backend starts again on the same databases and
 * the run waits until everything settles (leases expire: this row's
 * `opshub.queue.lease` is LEASE, `recoveryInterval` RECOVERY).
 *
 * Checks: jobs lost (every job in the table before the kill is there at
 * the end and succeeded), previews stuck (each PR's preview ready),
 * deployments created per head on the fake Vercel (one: a deployment the
 * killed process created but had not recorded is found again, not created
 * twice), comments created per PR on the fake GitHub, and Slack
 * messages per transition (`ready`): one, plus at most one repeat each for
 * a job that was mid-call at the kill (no more repeats than the queue's
 * concurrency); how many repeats is printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../lib/postgres';
import { deliverPullRequest, headShaOf } from '../../lib/pullRequestDeliveries';
import { untilQuiet } from '../../lib/quiet';
import {
  FIRST_PR,
  type PreviewWorld,
  startPreviewWorld,
  WORLD_REPOSITORY,
} from '../previewWorld/previewWorld';
import { sendAtRate } from '../previewWorld/sendAtRate';
import {
  commentCreatePrs,
  jobsPending,
  jobStates,
  perSubject,
  slackTransitions,
  tally,
} from '../previewWorld/worldCounts';
import { type Check, exactly, type Row } from '../row';
import {
  createdHeads,
  type FakeVercel,
  startBuildingVercel,
  vercelEntityEnv,
} from '../vercel/vercelEntity';

/** Its own port and databases: R2 may run at the same time. */
const PORT = 7042;
const DATABASE_PREFIX = 'opshub_bench_r3_';
/** app-config.yaml's demo entity's name, in Slack's messages. */
const ENTITY_NAME = 'storefront';
const BUILD_SECONDS = 3;
const LEASE = '10s';
const RECOVERY = '2s';
/** The queue's default concurrency: jobs mid-call at the kill, at most. */
const CONCURRENCY = 4;
const KILL_AT = 0.4;
const DELIVERIES_PER_SECOND = 100;
const QUIET_MS = 3_000;

const ROW_ENV = {
  APP_CONFIG_opshub_previews_checkInterval: '3s',
  APP_CONFIG_opshub_queue_lease: LEASE,
  APP_CONFIG_opshub_queue_recoveryInterval: RECOVERY,
  APP_CONFIG_opshub_queue_concurrency: String(CONCURRENCY),
};

async function previewStates(world: PreviewWorld, numbers: number[]) {
  const rows = (await world
    .db('previews')
    .whereIn('pr_number', numbers)
    .select('state')
    .count({ n: '*' })
    .groupBy('state')) as Array<{ state: string; n: string | number }>;
  return new Map(rows.map(row => [row.state, Number(row.n)]));
}

async function createdDeploys(world: PreviewWorld): Promise<number> {
  const [{ n }] = await world
    .db('preview_deploys')
    .whereNotNull('deployment_id')
    .count({ n: '*' });
  return Number(n);
}

const describe = (counts: Map<string, number>) =>
  [...counts].map(([key, n]) => `${n} ${key}`).join(', ') || 'none';

interface AtTheKill {
  /** The jobs in the table just before. */
  jobIds: string[];
  killedAt: Date;
}

/** SIGKILL mid-way; what the database and Vercel held then. */
async function killMidway(
  world: PreviewWorld,
  vercel: FakeVercel,
  numbers: number[],
  log: (line: string) => void,
): Promise<AtTheKill> {
  await waitUntil(
    async () => (await createdDeploys(world)) >= numbers.length * KILL_AT,
    60_000,
    50,
  );
  // The next creates reach Vercel but their answers never come back before
  // the kill: deployments Vercel holds and OpsHub has not recorded.
  vercel.lostCreateAnswers = CONCURRENCY;
  await waitUntil(async () => vercel.lostCreateAnswers === 0, 10_000, 10);
  const jobIds = (
    (await world.db('jobs').select('id')) as Array<{ id: string | number }>
  ).map(row => String(row.id));
  const killedAt = new Date();
  await world.kill();
  const unrecorded = (
    (await world
      .db('preview_deploys')
      .whereNull('deployment_id')
      .select('head_sha')) as Array<{ head_sha: string }>
  ).map(row => row.head_sha);
  const created = new Set(createdHeads(vercel));
  log(
    `killed with ${jobIds.length} jobs in the table (${describe(
      await jobStates(world),
    )}); previews: ${describe(
      await previewStates(world, numbers),
    )}; deploys intended, none recorded: ${
      unrecorded.length
    }, of which Vercel had created: ${
      unrecorded.filter(head => created.has(head)).length
    }`,
  );
  return { jobIds, killedAt };
}

/**
 * Jobs in the table before the kill that are missing at the end, or did not
 * end succeeded. A job superseded by a newer one with its key (which took
 * its work over) counts as done when that newer one succeeded.
 */
async function lostJobs(
  world: PreviewWorld,
  before: AtTheKill,
  log: (line: string) => void,
): Promise<number> {
  const present = new Set(
    (
      (await world
        .db('jobs')
        .whereIn('id', before.jobIds)
        .select('id')) as Array<{ id: string | number }>
    ).map(row => String(row.id)),
  );
  const missing = before.jobIds.filter(id => !present.has(id)).length;
  const states = await jobStates(world, before.killedAt);
  const unfinished = (await world
    .db('jobs as j')
    .where('j.created_at', '<', before.killedAt)
    .whereNot('j.state', 'succeeded')
    .select(
      'j.type',
      'j.state',
      'j.error_class',
      world.db.raw(
        `EXISTS (SELECT 1 FROM jobs n WHERE n."key" = j."key" AND n.id > j.id AND n.state = 'succeeded') AS taken_over`,
      ),
    )) as Array<{
    type: string;
    state: string;
    error_class: string | null;
    taken_over: boolean;
  }>;
  const lost = unfinished.filter(
    job => !(job.error_class === 'superseded' && job.taken_over),
  );
  log(
    `jobs created before the kill, at the end: ${describe(
      states,
    )}; missing: ${missing}; not succeeded: ${describe(
      tally(
        unfinished.map(
          job =>
            `${job.type} ${job.state}${
              job.error_class ? ` (${job.error_class})` : ''
            }${job.taken_over ? ', a newer job of its key succeeded' : ''}`,
        ),
      ),
    )}`,
  );
  return missing + lost.length;
}

async function settle(
  world: PreviewWorld,
  numbers: number[],
  until: number,
  log: (line: string) => void,
) {
  const start = Date.now();
  const seconds = () => `${Math.round((Date.now() - start) / 1000)} s`;
  await waitUntil(
    async () =>
      (await previewStates(world, numbers)).get('ready') === numbers.length,
    until - Date.now(),
    500,
  );
  log(`every preview ready ${seconds()} after the restart`);
  await waitUntil(
    async () => (await jobsPending(world)) === 0,
    until - Date.now(),
    500,
  );
  await untilQuiet(
    () => world.github.api.requests.length + world.slack.seen.length,
    QUIET_MS,
    until - Date.now(),
  );
  const types = (await world
    .db('jobs')
    .select('type')
    .count({ n: '*' })
    .groupBy('type')) as Array<{ type: string; n: string | number }>;
  log(
    `settled ${seconds()} after the restart; jobs: ${types
      .map(t => `${t.n} ${t.type}`)
      .join(', ')}`,
  );
}

export const row: Row = {
  id: 'R3',
  title: 'crash',
  budgetMs: () => 240_000,
  async run({ quick, log, deadline }) {
    const run = `r3-${Date.now()}`;
    const numbers = Array.from(
      { length: quick ? 100 : 500 },
      (_, i) => FIRST_PR + i,
    );
    const heads = numbers.map(n => headShaOf(run, n));
    const dir = mkdtempSync(join(tmpdir(), 'opshub-r3-'));
    const vercel = await startBuildingVercel({
      buildMs: BUILD_SECONDS * 1000,
    });
    const world = await startPreviewWorld({
      port: PORT,
      databasePrefix: DATABASE_PREFIX,
      env: vercelEntityEnv({ dir, name: ENTITY_NAME, vercelUrl: vercel.url }),
    });
    try {
      await world.start({ env: ROW_ENV });
      log('backend ready; sending');
      const sending = sendAtRate(numbers, DELIVERIES_PER_SECOND, n =>
        deliverPullRequest(world.url, {
          action: 'opened',
          number: n,
          headSha: heads[n - FIRST_PR],
          repository: WORLD_REPOSITORY,
        }),
      );
      await sending;
      log('every delivery accepted');
      const before = await killMidway(world, vercel, numbers, log);
      const restartAt = Date.now();
      await world.start({ env: ROW_ENV, freshDatabases: false });
      log(`restarted in ${Math.round((Date.now() - restartAt) / 1000)} s`);
      await settle(world, numbers, deadline - 15_000, log);
      const ready = (await previewStates(world, numbers)).get('ready') ?? 0;
      const slack = tally(slackTransitions(world.slack));
      const transitions = numbers.map(n => `${ENTITY_NAME} #${n} is ready`);
      const repeats = transitions.filter(t => (slack.get(t) ?? 0) > 1).length;
      const slackCheck = perSubject(
        'Slack messages per transition',
        1,
        transitions,
        slack,
        { upTo: 2, what: 'transitions' },
      );
      const checks: Check[] = [
        exactly('jobs lost', 0, await lostJobs(world, before, log)),
        exactly('previews stuck', 0, numbers.length - ready),
        perSubject(
          'provider creates per head',
          1,
          heads,
          tally(createdHeads(vercel)),
        ),
        perSubject(
          'GitHub comments per PR',
          1,
          numbers.map(String),
          tally(commentCreatePrs(world.github)),
          { what: 'PRs' },
        ),
        {
          ...slackCheck,
          goal: `1 (+ at most 1 repeat each, <= ${CONCURRENCY} repeats)`,
          result: `${slackCheck.result}; repeats: ${repeats}`,
          pass: slackCheck.pass && repeats <= CONCURRENCY,
        },
      ];
      return checks;
    } finally {
      await world.stop();
      await vercel.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
