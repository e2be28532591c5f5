/*
 * P3 preview ready: pull requests (500 per run) opened on the demo entity
 * (acme/storefront, mock provider at zero delay) through a backend started
 * from packages/backend on PostgreSQL with its job worker (default
 * concurrency), GitHub and Slack as fakes on loopback with no rate limits.
 * For each PR the clock runs from the webhook's 202 to the fake GitHub
 * receiving the `opshub/preview` success status for the PR's head.
 * Deliveries go out at a steady rate, by default 10 and then 20 PRs per
 * second in each repeat (`--rates 10,20`; `--rate 10` for one; `0` sends
 * all at once, which measures how long the backlog takes to drain rather
 * than a latency). Goals: at 10/s p50 < 150 ms and p99 < 500 ms, at 20/s
 * p99 < 100 ms.
 *
 * The fake GitHub behaves as GitHub does for what OpsHub calls (each
 * Deployment and comment gets an id of its own, a PR's comments list what
 * was created on it) and records every request; each is put down to its PR
 * (by head, PR number, Deployment or comment id). Per run: GitHub requests
 * per PR, in total (goal <= 8) and by kind, and duplicates (goal 0): a write
 * made again for a PR with the same method, path and body (two `pending`
 * statuses alike for one head, two Deployments for one head), and every
 * comment created on a PR after its first. Everything listens on
 * 127.0.0.1, and every process started here is stopped here.
 *
 *   yarn workspace @internal/opshub-bench p3 [--repeats 3] [--rates 10,20]
 *     [--prs 500]
 */
import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { performance } from 'node:perf_hooks';
import { checkpoint, waitUntil } from './lib/postgres';
import { deliverPullRequest, headShaOf } from './lib/pullRequestDeliveries';
import {
  countGithubRequests,
  type GithubRequests,
  type Kind,
  KINDS,
  type RecordingGithub,
  startRecordingGithub,
} from './lib/recordingGithub';
import { startBackend, stopProcess } from './lib/processes';
import { untilQuiet } from './lib/quiet';
import {
  median,
  numberFromArgs,
  passOrFail,
  percentile,
  repeatsFromArgs,
  round,
} from './lib/stats';

const BACKEND = 'http://127.0.0.1:7007';
const REPO = 'acme/storefront';
const PRS = numberFromArgs('prs', 500, { min: 1, integer: true });
/** A run's GitHub work is over once no request came for this long. */
const QUIET_MS = 2_000;
const GOAL_REQUESTS_PER_PR = 8;
/** The runs' PRs are numbered from here on; the readiness probe's is 1. */
const FIRST_NUMBER = 10_000;
/** Latency goals by rate (PRs per second); other rates have none. */
const LATENCY_GOALS: Record<number, { p50?: number; p99?: number }> = {
  10: { p50: 150, p99: 500 },
  20: { p99: 100 },
};

/** `--rates 10,20` (the default), or `--rate 10` for one rate. */
function ratesFromArgs(): number[] {
  const one = process.argv.indexOf('--rate');
  const many = process.argv.indexOf('--rates');
  let raw = '10,20';
  if (many >= 0) raw = process.argv[many + 1];
  else if (one >= 0) raw = process.argv[one + 1];
  const rates = String(raw).split(',').map(Number);
  if (rates.some(rate => !Number.isFinite(rate) || rate < 0)) {
    throw new Error(
      '--rates takes deliveries per second, comma-separated (0: all at once)',
    );
  }
  return rates;
}

async function deliver(action: string, number: number, headSha: string) {
  return deliverPullRequest(BACKEND, {
    action,
    number,
    headSha,
    repository: REPO,
    deliveryId: `bench-p3-${action}-${number}-${headSha}`,
  });
}

function describeGithub(g: GithubRequests, prs: number): string {
  const perPr = (n: number) => round(n / prs, 2);
  const kinds = [...KINDS, 'other' as const]
    .filter(kind => kind !== 'other' || g.byKind.other > 0)
    .map(kind => `${kind} ${perPr(g.byKind[kind])}`)
    .join(', ');
  const duplicateKinds = [...KINDS]
    .filter(kind => g.duplicatesByKind[kind] > 0)
    .map(kind => `${kind} ${g.duplicatesByKind[kind]}`)
    .join(', ');
  return [
    `GitHub requests ${perPr(
      g.total,
    )} per PR (goal <= ${GOAL_REQUESTS_PER_PR}: ${passOrFail(
      g.total / prs <= GOAL_REQUESTS_PER_PR,
    )}; ${g.total} for ${prs} PRs): ${kinds};`,
    `duplicates ${g.duplicates}${
      duplicateKinds ? ` (${duplicateKinds})` : ''
    } (goal 0: ${passOrFail(g.duplicates === 0)})`,
  ].join(' ');
}

const shaOf = headShaOf;

/** One run: PRS PRs opened at `rate` per second; latency per PR in ms. */
async function measureRun(
  run: string,
  numbers: number[],
  rate: number,
  github: RecordingGithub,
): Promise<number[]> {
  const acceptedAt = new Map<string, number>();
  const start = performance.now();
  await Promise.all(
    numbers.map(async (number, i) => {
      const sendAt = rate > 0 ? start + (i * 1000) / rate : start;
      await new Promise(resolve =>
        setTimeout(resolve, Math.max(0, sendAt - performance.now())),
      );
      const sha = shaOf(run, number);
      github.prOfSha.set(sha, number);
      await deliver('opened', number, sha);
      acceptedAt.set(sha, performance.now());
    }),
  );
  const shas = [...acceptedAt.keys()];
  await waitUntil(
    async () => shas.every(sha => github.succeededAt.has(sha)),
    120_000,
    20,
  );
  return shas.map(sha => github.succeededAt.get(sha)! - acceptedAt.get(sha)!);
}

type RunResult = {
  p50: number;
  p99: number;
  github: GithubRequests;
};

const rateName = (rate: number) => (rate ? `${rate} PRs/s` : 'all at once');

async function main() {
  const repeats = repeatsFromArgs();
  const rates = ratesFromArgs();
  const github = await startRecordingGithub();
  const slack = await startFakeSlack();
  const backend = await startBackend({
    config: 'app-config.p3.yaml',
    databasePrefix: 'opshub_bench_p3_',
    url: BACKEND,
    env: {
      APP_CONFIG_integrations: JSON.stringify({
        github: [
          { host: 'github.com', apiBaseUrl: github.api.url, token: 'bench' },
        ],
      }),
      APP_CONFIG_opshub_slack_apiUrl: slack.url,
    },
  });
  const results = new Map<number, RunResult[]>(rates.map(rate => [rate, []]));
  let nextNumber = FIRST_NUMBER;
  try {
    // Ready once the project sync has mapped the repository to its entity:
    // a `closed` event for a PR without a preview is enqueued and changes
    // nothing.
    await waitUntil(
      async () =>
        (await deliver('closed', 1, shaOf('probe', Date.now()))).outcome ===
        'enqueued',
      120_000,
      500,
    );
    for (let r = 1; r <= repeats; r++) {
      for (const rate of rates) {
        await checkpoint();
        const first = nextNumber;
        const numbers = Array.from({ length: PRS }, (_, i) => first + i);
        nextNumber += PRS;
        const latencies = await measureRun(
          `${r}-${rate}-${Date.now()}`,
          numbers,
          rate,
          github,
        );
        // The rest of this run's work (deployment statuses, comments) ends
        // before it is counted and before the next run starts.
        await untilQuiet(() => github.api.requests.length, QUIET_MS, 120_000);
        const result: RunResult = {
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          github: countGithubRequests(github, new Set(numbers)),
        };
        results.get(rate)!.push(result);
        console.log(
          `P3 repeat ${r} at ${rateName(
            rate,
          )}: ${PRS} PRs, 202 -> success status p50 ${round(
            result.p50,
          )} ms, p95 ${round(percentile(latencies, 95))} ms, p99 ${round(
            result.p99,
          )} ms, max ${round(Math.max(...latencies))} ms`,
        );
        console.log(
          `P3 repeat ${r} at ${rateName(rate)}: ${describeGithub(
            result.github,
            PRS,
          )}`,
        );
        for (const example of result.github.examples) {
          console.log(`  duplicate: ${example.slice(0, 400)}`);
        }
      }
    }
  } finally {
    await stopProcess(backend.child);
    await github.api.close();
    await slack.close();
  }

  console.log(`\nP3 preview ready (${PRS} PRs per run), medians of ${repeats}`);
  for (const rate of rates) {
    const runs = results.get(rate)!;
    const p50 = median(runs.map(x => x.p50));
    const p99 = median(runs.map(x => x.p99));
    const goal = LATENCY_GOALS[rate] ?? {};
    const judged = (name: string, value: number, limit?: number) =>
      `${name} ${round(value)} ms${
        limit === undefined
          ? ''
          : ` (goal < ${limit}: ${passOrFail(value < limit)})`
      }`;
    console.log(
      `  at ${rateName(rate)}: 202 -> success status ${judged(
        'p50',
        p50,
        goal.p50,
      )}, ${judged('p99', p99, goal.p99)}`,
    );
    const all = runs.map(x => x.github);
    const sum = (pick: (g: GithubRequests) => number) =>
      all.reduce((total, g) => total + pick(g), 0);
    const byKind = (pick: (g: GithubRequests) => Record<Kind, number>) =>
      Object.fromEntries(
        [...KINDS, 'other' as const].map(kind => [
          kind,
          sum(g => pick(g)[kind]),
        ]),
      ) as Record<Kind, number>;
    const together: GithubRequests = {
      total: sum(g => g.total),
      byKind: byKind(g => g.byKind),
      duplicates: sum(g => g.duplicates),
      duplicatesByKind: byKind(g => g.duplicatesByKind),
      examples: [],
    };
    console.log(
      `  at ${rateName(rate)}, all repeats: ${describeGithub(
        together,
        PRS * runs.length,
      )}`,
    );
  }
  const unattributed = github.api.requests.filter(request => {
    const { pr } = github.classify(request);
    return pr === undefined || pr < FIRST_NUMBER || pr >= nextNumber;
  }).length;
  console.log(
    `  ${github.api.requests.length} GitHub requests in all (${unattributed} for no PR of the runs: probes, reconcile), ${slack.seen.length} Slack messages`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
