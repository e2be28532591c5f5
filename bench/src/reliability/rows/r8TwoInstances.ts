/*
 * R8 two instances: two backends of packages/backend (ports 7061 and 7062)
 * on the same PostgreSQL databases, 100 catalog Components each naming a
 * repository of its own (bindings approved in the config), the mock
 * provider with a build time, GitHub and Slack as recording fakes on
 * loopback. 50 signed pull_request deliveries per second (`--r8-rate`)
 * for 60 s (`--r8-seconds`), in pairs to one repository whose two events go
 * to the two instances: PRs opened, pushed to, closed, a delivery sent
 * again. Then a bounded drain. Checks: a preview's work never
 * running twice at once, each side effect once per key, each cluster-wide
 * scheduled task once per tick, the webhooks' 202 p99, every preview ready.
 */
import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { untilQuiet } from '../../lib/quiet';
import { checkpoint, connect, PG_URL, waitUntil } from '../../lib/postgres';
import {
  dropDatabases,
  type StartedProcess,
  startBackend,
  stopProcess,
} from '../../lib/processes';
import {
  deliverPullRequest,
  headShaOf,
  postDelivery,
  pullRequestDelivery,
} from '../../lib/pullRequestDeliveries';
import {
  type RecordingGithub,
  startRecordingGithub,
} from '../../lib/recordingGithub';
import { numberFromArgs, percentile, round } from '../../lib/stats';
import { type Check, exactly, type Row } from '../row';
import { benchEntities, catalogConfig } from '../twoInstances/catalogEntities';
import {
  planEvents,
  type PlannedEvent,
  type PullRequestEnd,
} from '../twoInstances/eventMix';
import {
  type AcceptResults,
  startAcceptClient,
} from '../twoInstances/acceptClient';
import {
  type CpuSecond,
  describeCpu,
  startCpuProbe,
} from '../twoInstances/cpuProbe';
import { describeFlushes, startFlushProbe } from '../twoInstances/flushProbe';
import { servePullRequests } from '../twoInstances/githubPulls';
import { sampleRunningJobs } from '../twoInstances/runningJobsSampler';
import {
  followTaskTicks,
  readTaskRuns,
  type TaskRun,
  type TaskTicks,
} from '../twoInstances/schedulerTicks';
import {
  countSideEffects,
  requiredSideEffects,
} from '../twoInstances/sideEffects';

const INSTANCES = [
  { name: 'r8-a', url: 'http://127.0.0.1:7061', port: 7061 },
  { name: 'r8-b', url: 'http://127.0.0.1:7062', port: 7062 },
];
const DATABASE_PREFIX = 'opshub_bench_r8_';
const ENTITIES = 100;
/** Deliveries per second; `--r8-rate` shows how the accept time follows it. */
const RATE = numberFromArgs('r8-rate', 50, { min: 1 });
const SECONDS = numberFromArgs('r8-seconds', 60, { min: 1 });
/** Each GitHub answer about a PR waits this long (see mostInFlight). */
const GITHUB_HOLD_MS = 10;
const ACCEPT_P99_MS = 50;
/** A send this much after its planned time is counted as late. */
const SEND_LATE_MS = 5;
/** Seconds of the load named in the log line on slow answers. */
const SLOW_SECONDS_SHOWN = 12;
/** The fakes' work is over once no request came for this long. */
const QUIET_MS = 2_000;
/**
 * OpsHub's tasks that every instance runs on its own timer, by design: the
 * health schedule claims due probes with SKIP LOCKED (see setUpHealth).
 */
const LOCAL_BY_DESIGN = ['opshub-health-schedule'];
const PROBE = join(
  process.cwd(),
  'src',
  'reliability',
  'twoInstances',
  'taskRunProbe.js',
);

/**
 * Sends the planned deliveries on time; the answer to each and its time,
 * and when the load started (ms since the epoch).
 */
async function sendLoad(
  events: PlannedEvent[],
  runId: string,
  github: RecordingGithub,
  pulls: ReturnType<typeof servePullRequests>,
): Promise<{ accepts: AcceptResults; startedAt: number }> {
  const client = await startAcceptClient();
  const urls = INSTANCES.map(i => `${i.url}/api/opshub/webhooks/github`);
  const built: Array<{ body: Buffer; headers: Record<string, string> }> = [];
  const start = performance.now();
  // Each delivery's `updated_at` is later than the one before, as GitHub's
  // are for the events of one PR, even when two go out in the same ms.
  let stamp = 0;
  for (const [i, event] of events.entries()) {
    const wait = start + event.atMs - performance.now();
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
    let delivery = built[event.repeats ?? -1];
    if (event.kind !== 'redelivery') {
      const { body, headers } = pullRequestDelivery({
        action: event.kind,
        number: event.number,
        headSha: event.headSha,
        repository: event.repository,
        deliveryId: `r8-${runId}-${i}`,
        updatedAt: new Date(
          (stamp = Math.max(Date.now(), stamp + 1)),
        ).toISOString(),
      });
      // GitHub has the PR as the delivery describes it before sending it.
      pulls.delivered(body);
      delivery = { body: Buffer.from(body), headers };
    }
    built[i] = delivery;
    github.prOfSha.set(event.headSha, event.number);
    client.send({
      index: i,
      url: urls[event.instance],
      body: delivery.body,
      headers: delivery.headers,
    });
  }
  return {
    accepts: await client.finish(),
    startedAt: performance.timeOrigin + start,
  };
}

/**
 * Whether the load went out at the planned rate or in bursts: how many
 * requests left the client's thread late, by its clock, against the plan.
 */
function describeLateness(
  events: PlannedEvent[],
  timings: AcceptResults['timings'],
  startedAt: number,
): string {
  const lateMs = events.map(
    (event, i) => timings[i].sentAt - startedAt - event.atMs,
  );
  const late = lateMs.filter(ms => ms > SEND_LATE_MS).length;
  return `${late} of ${
    lateMs.length
  } deliveries sent more than ${SEND_LATE_MS} ms after their planned time, the latest ${round(
    Math.max(0, ...lateMs),
  )} ms`;
}

/**
 * When the slow answers came: per second of the load, how many took over
 * the goal at each instance (`s12 a3 b1`), the busiest seconds first, with
 * the share of the cores the host took in that second when it was read
 * (`steal 20 %`). Both instances at once point at what they share (the
 * database, the disk, the cores); one alone at that process.
 */
function describeSlowSeconds(
  events: PlannedEvent[],
  timings: AcceptResults['timings'],
  startedAt: number,
  cpu: CpuSecond[] | undefined,
): string {
  const bySecond = new Map<number, [number, number]>();
  timings.forEach((timing, i) => {
    if (timing.ms <= ACCEPT_P99_MS) return;
    const second = Math.floor((timing.sentAt - startedAt) / 1000);
    const counts = bySecond.get(second) ?? [0, 0];
    counts[events[i].instance] += 1;
    bySecond.set(second, counts);
  });
  if (bySecond.size === 0) return `answers over ${ACCEPT_P99_MS} ms: none`;
  const busiest = [...bySecond]
    .sort(([, x], [, y]) => y[0] + y[1] - (x[0] + x[1]))
    .slice(0, SLOW_SECONDS_SHOWN)
    .map(([second, [a, b]]) => {
      const stolen = cpu?.[second]?.stolen;
      const steal =
        stolen === undefined ? '' : ` (steal ${round(stolen * 100)} %)`;
      return `s${second} a${a} b${b}${steal}`;
    });
  return `answers over ${ACCEPT_P99_MS} ms by second of the load (a: r8-a, b: r8-b), ${
    bySecond.size
  } seconds, the busiest: ${busiest.join(', ')}`;
}

/**
 * Answers that are not what GitHub should get: 202 for a new delivery; for
 * one sent again, 200 (already recorded) unless it overtook the original,
 * but never both recorded as new.
 */
function wrongAnswers(events: PlannedEvent[], statuses: number[]): number {
  const repeated = new Set(events.map(event => event.repeats));
  return events.filter((event, i) => {
    if (event.kind === 'redelivery') {
      const pair = [statuses[event.repeats!], statuses[i]].sort().join();
      return pair !== '200,202';
    }
    // An original sent again is judged with its redelivery.
    return !repeated.has(i) && statuses[i] !== 202;
  }).length;
}

/** The preview lifecycle's jobs, and its GitHub and Slack ones. */
const PREVIEW_JOB_TYPES = [
  'create-preview',
  'check-preview',
  'build-preview',
  'teardown-preview',
  'destroy-preview',
  'destroy-deploy',
  'github-preview-sync',
  'slack-notify',
];

/** Jobs of the previews still queued or running. */
async function previewJobsLeft(knex: ReturnType<typeof connect>) {
  const [{ n }] = await knex('jobs')
    .whereIn('state', ['queued', 'running'])
    .whereIn('type', PREVIEW_JOB_TYPES)
    .count({ n: '*' });
  return Number(n);
}

/** Open PRs ready on their last head; closed ones with no live preview. */
async function settledPreviews(
  knex: ReturnType<typeof connect>,
  pullRequests: Map<number, PullRequestEnd>,
) {
  const rows: Array<{ pr_number: number; state: string; head_sha: string }> =
    await knex('previews').select('pr_number', 'state', 'head_sha');
  const byNumber = new Map(rows.map(r => [Number(r.pr_number), r]));
  const result = { open: 0, ready: 0, closed: 0, down: 0 };
  for (const pr of pullRequests.values()) {
    const row = byNumber.get(pr.number);
    if (pr.open) {
      result.open += 1;
      if (row?.state === 'ready' && row.head_sha === pr.headSha) {
        result.ready += 1;
      }
    } else {
      result.closed += 1;
      if (!row || row.state === 'destroyed') result.down += 1;
    }
  }
  return result;
}

/** The warm-up's PR numbers start here, apart from the load's. */
const WARM_UP_PR = 900_000;
/** How long the warm-up's previews may take to be ready. */
const WARM_UP_MS = 60_000;

/**
 * Before the clock starts, one PR of each entity is opened, at the two
 * instances in turn, and its preview built, as in a portal that has served
 * traffic: job handlers compiled, connections open, each entity's
 * repository and annotations read. Without it the load's first second found
 * both instances cold (answers of 36–126 ms in its first 0.7 s).
 */
async function warmUp(
  entities: Array<{ repository: string }>,
  github: RecordingGithub,
  pulls: ReturnType<typeof servePullRequests>,
  knex: ReturnType<typeof connect>,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const numbers = entities.map((_, i) => WARM_UP_PR + i);
  for (const [i, entity] of entities.entries()) {
    const instance = INSTANCES[i % INSTANCES.length];
    const number = numbers[i];
    const headSha = headShaOf(`warm-up-${started}`, number);
    const { body, headers } = pullRequestDelivery({
      action: 'opened',
      number,
      headSha,
      repository: entity.repository,
      deliveryId: `r8-warm-up-${started}-${i}`,
    });
    pulls.delivered(body);
    github.prOfSha.set(headSha, number);
    const { status, answer } = await postDelivery(instance.url, {
      body,
      headers,
    });
    if (status !== 202) {
      throw new Error(
        `${
          instance.name
        } answered a warm-up delivery ${status}: ${JSON.stringify(answer)}`,
      );
    }
  }
  let ready = 0;
  await waitUntil(
    async () => {
      const [{ n }] = await knex('previews')
        .whereIn('pr_number', numbers)
        .where('state', 'ready')
        .count({ n: '*' });
      ready = Number(n);
      return ready === numbers.length;
    },
    WARM_UP_MS,
    250,
  ).catch(() => {
    throw new Error(
      `the warm-up's previews were not all ready in ${
        WARM_UP_MS / 1000
      } s: ${ready} of ${numbers.length}`,
    );
  });
  log(
    `warmed up in ${round(
      (Date.now() - started) / 1000,
    )} s: a preview of each of the ${entities.length} entities built`,
  );
}

async function run({
  log,
  deadline,
}: {
  log(line: string): void;
  deadline: number;
}): Promise<Check[]> {
  const dir = mkdtempSync(join(tmpdir(), 'opshub-r8-'));
  const taskRunLog = join(dir, 'task-runs.log');
  const github = await startRecordingGithub({ holdMs: GITHUB_HOLD_MS });
  const pulls = servePullRequests(github.api);
  const slack = await startFakeSlack();
  const entities = benchEntities(ENTITIES);
  const shared = {
    ...catalogConfig(dir, entities),
    APP_CONFIG_integrations: JSON.stringify({
      github: [
        { host: 'github.com', apiBaseUrl: github.api.url, token: 'bench' },
      ],
    }),
    APP_CONFIG_opshub_slack_apiUrl: slack.url,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PROBE}`,
    OPSHUB_TASK_RUN_LOG: taskRunLog,
  };
  const backends: StartedProcess[] = [];
  const knex = connect(`${PG_URL}/${DATABASE_PREFIX}opshub`, 2);
  let taskTicks: ReturnType<typeof followTaskTicks> | undefined;
  let sampler: ReturnType<typeof sampleRunningJobs> | undefined;
  let probe: Awaited<ReturnType<typeof startFlushProbe>> | undefined;
  let cpuProbe: Awaited<ReturnType<typeof startCpuProbe>> | undefined;
  try {
    for (const [i, instance] of INSTANCES.entries()) {
      const started = Date.now();
      backends.push(
        await startBackend({
          config: 'app-config.r8.yaml',
          databasePrefix: DATABASE_PREFIX,
          url: instance.url,
          // The second instance joins the first one's databases.
          freshDatabases: i === 0,
          env: {
            ...shared,
            APP_CONFIG_backend_listen_port: String(instance.port),
            APP_CONFIG_backend_baseUrl: instance.url,
            OPSHUB_TASK_RUN_INSTANCE: instance.name,
          },
        }),
      );
      log(
        `${instance.name} ready in ${round((Date.now() - started) / 1000)} s`,
      );
      // From the first instance's start on, its tasks' ticks are followed.
      taskTicks ??= followTaskTicks(knex);
    }
    // Both act once the project sync tracked every entity, verified.
    await waitUntil(
      async () => {
        const [{ n }] = await knex('projects')
          .whereNotNull('verified_by')
          .count({ n: '*' });
        return Number(n) >= ENTITIES;
      },
      60_000,
      250,
    );
    for (const instance of INSTANCES) {
      const { outcome } = await deliverPullRequest(instance.url, {
        action: 'closed',
        number: 1,
        headSha: '0'.repeat(40),
        repository: entities[0].repository,
        deliveryId: `r8-probe-${instance.name}-${Date.now()}`,
      });
      if (outcome !== 'enqueued') {
        throw new Error(`${instance.name} left a delivery ${outcome}`);
      }
    }

    await warmUp(entities, github, pulls, knex, log);

    // As pgbench does: the dirty buffers of the startup (and of the rows
    // before) are written out now, not by a checkpoint during the load.
    await checkpoint();
    const runId = String(Date.now());
    const { events, pullRequests } = planEvents({
      repositories: entities.map(e => e.repository),
      ratePerSecond: RATE,
      seconds: SECONDS,
      runId,
    });
    log(
      `sending ${events.length} deliveries in ${SECONDS} s (${pullRequests.size} PRs)`,
    );
    sampler = sampleRunningJobs(knex);
    probe = await startFlushProbe(knex, dir);
    cpuProbe = await startCpuProbe();
    const loadStarted = Date.now();
    const { accepts, startedAt } = await sendLoad(events, runId, github, pulls);
    log(
      `load sent in ${round(
        (Date.now() - loadStarted) / 1000,
      )} s; ${describeLateness(events, accepts.timings, startedAt)}`,
    );
    const cpu = await cpuProbe.stop?.();
    log(cpu ? describeCpu(cpu) : `cores: not read, ${cpuProbe.why}`);
    log(describeSlowSeconds(events, accepts.timings, startedAt, cpu));
    const flushes = await probe.stop?.();
    log(
      flushes
        ? describeFlushes(flushes, accepts.timings, ACCEPT_P99_MS)
        : `disk flushes: not probed, ${probe.why}`,
    );

    const drainStarted = Date.now();
    const drainMs = Math.max(5_000, deadline - Date.now() - 30_000);
    let settled = await settledPreviews(knex, pullRequests);
    await waitUntil(
      async () => {
        settled = await settledPreviews(knex, pullRequests);
        return (
          settled.ready === settled.open &&
          settled.down === settled.closed &&
          (await previewJobsLeft(knex)) === 0
        );
      },
      drainMs,
      250,
    ).catch(() => undefined);
    await untilQuiet(
      () => github.api.requests.length + slack.seen.length,
      QUIET_MS,
      10_000,
    ).catch(() => undefined);
    log(
      `drained in ${round((Date.now() - drainStarted) / 1000)} s: ${
        settled.ready
      } of ${settled.open} open PRs ready, ${settled.down} of ${
        settled.closed
      } closed down`,
    );
    const running = await sampler.stop();
    const runs = readTaskRuns(taskRunLog);
    const ticks = await taskTicks!.stop(runs);

    return [
      twiceAtOnce(running, github, backends, log),
      sideEffectsOnce(github, slack.seen, pullRequests, log),
      oncePerTick(ticks, runs, log),
      acceptP99(accepts, wrongAnswers(events, accepts.statuses), log),
      {
        name: 'previews ready by the end',
        goal: 'all',
        result: `${settled.ready} of ${settled.open} (closed PRs down: ${settled.down} of ${settled.closed})`,
        pass: settled.ready === settled.open && settled.down === settled.closed,
      },
    ];
  } finally {
    // Stopped above unless the row failed; their failures then matter less.
    await taskTicks?.stop([]).catch(() => undefined);
    await sampler?.stop().catch(() => undefined);
    await probe?.stop?.().catch(() => undefined);
    await cpuProbe?.stop?.().catch(() => undefined);
    await Promise.all(backends.map(b => stopProcess(b.child)));
    await knex.destroy();
    await github.api.close();
    await slack.close();
    await dropDatabases(DATABASE_PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
}

function twiceAtOnce(
  running: Awaited<ReturnType<ReturnType<typeof sampleRunningJobs>['stop']>>,
  github: RecordingGithub,
  backends: StartedProcess[],
  log: (line: string) => void,
): Check {
  const overlapping = [...github.mostInFlight].filter(([, n]) => n > 1);
  const byInstance = INSTANCES.map(({ name }, i) => {
    const pid = `:${backends[i].child.pid}:`;
    const jobs = [...running.byHolder]
      .filter(([holder]) => holder.includes(pid))
      .reduce((sum, [, n]) => sum + n, 0);
    return `${name} ${jobs}`;
  });
  log(
    `running jobs sampled ${
      running.samples
    } times: jobs seen running by instance ${byInstance.join(
      ', ',
    )}; a group or key running twice: ${
      [...running.twice].slice(0, 3).join(', ') || 'none'
    }; seen past their lease: ${
      running.pastLease
    }; PRs with GitHub requests in flight at once: ${
      overlapping
        .map(([pr, n]) => `${pr} (${n})`)
        .slice(0, 5)
        .join(', ') || 'none'
    }`,
  );
  return exactly(
    "a preview's work running twice at once",
    0,
    running.twice.size + overlapping.length,
  );
}

function sideEffectsOnce(
  github: RecordingGithub,
  slack: Array<{ form: Record<string, string> }>,
  pullRequests: Map<number, PullRequestEnd>,
  log: (line: string) => void,
): Check {
  const counts = countSideEffects(github, slack);
  const repeated = [...counts].filter(([, n]) => n > 1);
  const missing = requiredSideEffects(pullRequests.values()).filter(
    key => !counts.has(key),
  );
  log(
    `side effects: ${counts.size} keys, ${repeated.length} more than once${
      repeated.length
        ? ` (${repeated
            .slice(0, 3)
            .map(([key, n]) => `${n} x ${key}`)
            .join('; ')})`
        : ''
    }, ${missing.length} missing${
      missing.length ? ` (${missing.slice(0, 3).join('; ')})` : ''
    }`,
  );
  const most = Math.max(0, ...counts.values());
  let result = '1';
  if (repeated.length) result = `${most} (${repeated.length} keys)`;
  else if (missing.length) result = `0 (${missing.length} keys)`;
  return {
    name: 'side effects per key',
    goal: '1',
    result,
    pass: repeated.length === 0 && missing.length === 0 && counts.size > 0,
  };
}

function oncePerTick(
  ticks: TaskTicks[],
  runs: TaskRun[],
  log: (line: string) => void,
): Check {
  for (const t of ticks) {
    log(
      `task ${t.taskId} (${t.cadence}): ${t.ticks} ticks, most runs in a tick ${
        t.mostRunsInATick
      }, runs by instance ${
        Object.entries(t.runsByInstance)
          .map(([name, n]) => `${name} ${n}`)
          .join(', ') || 'none'
      }`,
    );
  }
  const local = new Map<string, number>();
  for (const taskRun of runs.filter(r => r.scope === 'local')) {
    const key = `${taskRun.taskId} on ${taskRun.instance}`;
    local.set(key, (local.get(key) ?? 0) + 1);
  }
  log(
    `local tasks (each instance runs its own): ${[...local]
      .map(([key, n]) => `${key} ${n}`)
      .join(', ')}`,
  );
  // Any other OpsHub task every instance runs on its own runs once per
  // tick per instance: as many times a tick as there are instances.
  const everywhere = new Set(
    runs
      .filter(r => r.scope === 'local' && r.taskId.startsWith('opshub-'))
      .map(r => r.taskId)
      .filter(id => !LOCAL_BY_DESIGN.includes(id)),
  );
  const ran = ticks.filter(t => t.ticks > 0);
  const most = Math.max(
    0,
    ...ticks.map(t => t.mostRunsInATick),
    ...(everywhere.size ? [INSTANCES.length] : []),
  );
  const total = ran.reduce((sum, t) => sum + t.ticks, 0);
  return {
    name: 'each scheduler task once per tick',
    goal: '1 run per tick',
    result: `${most} (${total} ticks of ${ran.length} of ${ticks.length} tasks${
      everywhere.size
        ? `; on every instance: ${[...everywhere].join(', ')}`
        : ''
    })`,
    pass: most === 1,
  };
}

function acceptP99(
  accepts: AcceptResults,
  wrong: number,
  log: (line: string) => void,
): Check {
  const { latenciesMs, statuses } = accepts;
  const p99 = percentile(latenciesMs, 99);
  const byStatus = new Map<number, number>();
  for (const status of statuses) {
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  log(
    `accept: p50 ${round(percentile(latenciesMs, 50))} ms, p90 ${round(
      percentile(latenciesMs, 90),
    )} ms, p99 ${round(p99)} ms, max ${round(
      Math.max(...latenciesMs),
    )} ms; answers ${[...byStatus]
      .map(([status, n]) => `${n} x ${status || 'none'}`)
      .join(', ')}${
      accepts.failures.length ? `; no answer: ${accepts.failures[0]}` : ''
    }`,
  );
  return {
    name: 'accept p99',
    goal: `< ${ACCEPT_P99_MS} ms`,
    result: `${round(p99)} ms (${
      latenciesMs.length
    } deliveries, ${wrong} wrong answers)`,
    pass: p99 < ACCEPT_P99_MS && wrong === 0,
  };
}

export const row: Row = {
  id: 'R8',
  title: 'two instances',
  budgetMs: () => 240_000,
  run,
};
