/*
 * R3 crash: PRs (500; 100 with --quick) opened on the demo entity through
 * packages/backend on PostgreSQL with the recording fake GitHub and a fake
 * Slack (previewWorld/), the mock provider's builds taking BUILD_SECONDS.
 * Once every delivery is accepted and KILL_AT of the previews have their
 * deploy created (the rest still being created, the first ones building
 * or ready, their GitHub and Slack jobs running), the backend's process
 * group gets SIGKILL; the backend starts again on the same databases and
 * the run waits until everything settles (leases expire: this row's
 * `opshub.queue.lease` is LEASE, `recoveryInterval` RECOVERY).
 *
 * Checks: jobs lost (every job in the table before the kill is there at
 * the end and succeeded), previews stuck (each PR's preview ready), the
 * mock provider's creates per head (its `create` log lines, both
 * processes), comments created per PR on the fake GitHub, and Slack
 * messages per transition (`ready`): one, plus at most one repeat each for
 * a job that was mid-call at the kill (no more repeats than the queue's
 * concurrency); how many repeats is printed.
 */
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

const BUILD_SECONDS = 3;
const LEASE = '10s';
const RECOVERY = '2s';
/** The queue's default concurrency: jobs mid-call at the kill, at most. */
const CONCURRENCY = 4;
const KILL_AT = 0.4;
const DELIVERIES_PER_SECOND = 100;
const QUIET_MS = 3_000;

const ROW_ENV = {
  APP_CONFIG_opshub_providers_mock_delay: JSON.stringify({
    seconds: BUILD_SECONDS,
  }),
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
  /** Heads the killed process had created a deploy of, each time. */
  creates: string[];
  /** Heads whose deploy intent had no deployment recorded. */
  unrecorded: Set<string>;
}

/** SIGKILL mid-way; what the database and the provider held then. */
async function killMidway(
  world: PreviewWorld,
  numbers: number[],
  log: (line: string) => void,
): Promise<AtTheKill> {
  await waitUntil(
    async () => (await createdDeploys(world)) >= numbers.length * KILL_AT,
    60_000,
    50,
  );
  const jobIds = (
    (await world.db('jobs').select('id')) as Array<{ id: string | number }>
  ).map(row => String(row.id));
  const killedAt = new Date();
  await world.kill();
  const unrecorded = new Set(
    (
      (await world
        .db('preview_deploys')
        .whereNull('deployment_id')
        .select('head_sha')) as Array<{ head_sha: string }>
    ).map(row => row.head_sha),
  );
  log(
    `killed with ${jobIds.length} jobs in the table (${describe(
      await jobStates(world),
    )}); previews: ${describe(
      await previewStates(world, numbers),
    )}; deploys intended, none recorded: ${unrecorded.size}`,
  );
  return { jobIds, killedAt, creates: world.creates(), unrecorded };
}

/**
 * Provider creates per head: one. The mock provider keeps its deploys in
 * the backend's memory, so a deploy the killed process created but had not
 * recorded is gone with it, and no `find` can see it after the restart (a
 * real provider's `find` would): such a head may be created once more,
 * counted as a repeat (at most one per job mid-call at the kill).
 */
function createsCheck(world: PreviewWorld, heads: string[], kill: AtTheKill) {
  const creates = tally(world.creates());
  const before = tally(kill.creates);
  const repeatable = (head: string) =>
    kill.unrecorded.has(head) && before.get(head) === 1;
  const repeats = heads.filter(
    head => repeatable(head) && creates.get(head) === 2,
  ).length;
  const check = perSubject('provider creates per head', 1, heads, creates, {
    upTo: 2,
  });
  const off = heads.filter(head => {
    const n = creates.get(head) ?? 0;
    return n !== 1 && !(n === 2 && repeatable(head));
  }).length;
  return {
    ...check,
    goal: `1 (+ 1 if created, not recorded at the kill; <= ${CONCURRENCY})`,
    result: `${check.result.replace(/, \d+ off/, '')}; repeats: ${repeats}${
      off ? `; off: ${off}` : ''
    }`,
    pass: off === 0 && repeats <= CONCURRENCY,
  };
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
    const world = await startPreviewWorld();
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
      const before = await killMidway(world, numbers, log);
      const restartAt = Date.now();
      await world.start({ env: ROW_ENV, freshDatabases: false });
      log(`restarted in ${Math.round((Date.now() - restartAt) / 1000)} s`);
      await settle(world, numbers, deadline - 15_000, log);
      const ready = (await previewStates(world, numbers)).get('ready') ?? 0;
      const slack = tally(slackTransitions(world.slack));
      const transitions = numbers.map(n => `storefront #${n} is ready`);
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
        createsCheck(world, heads, before),
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
    }
  },
};
