/*
 * P3 preview ready: 500 pull requests opened on the demo entity
 * (acme/storefront, mock provider at zero delay) through a backend started
 * from packages/backend on PostgreSQL with its job worker (default
 * concurrency), GitHub and Slack as fakes on loopback with no rate limits.
 * For each PR the clock runs from the webhook's 202 to the fake GitHub
 * receiving the `opshub/preview` success status for the PR's head.
 * Deliveries go out at a steady `--rate` per second (default 10, so 500 PRs
 * take 50 s: 36,000 PRs an hour, beyond any organisation's peak); `--rate 0`
 * sends all 500 at once, which measures how long the backlog takes to drain
 * rather than a latency. Goal: p50 < 150 ms, p99 < 500 ms. Everything listens on 127.0.0.1, and
 * every process started here is stopped here.
 *
 *   yarn workspace @internal/opshub-bench p3 [--repeats 3] [--rate 10]
 */
import examples from '@octokit/webhooks-examples';
import {
  startFakeGithub,
  startFakeSlack,
} from '@opshub/plugin-opshub-node/testUtils';
import { createHash, createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { checkpoint, waitUntil } from './lib/postgres';
import { startBackend, stopProcess } from './lib/processes';
import { percentile, repeatsFromArgs, round } from './lib/stats';

const SECRET = 'opshub-bench-webhook-secret';
const BACKEND = 'http://127.0.0.1:7007';
const ROUTE = `${BACKEND}/api/opshub/webhooks/github`;
const REPO = 'acme/storefront';
const PRS = 500;

function rateFromArgs(fallback = 10): number {
  const index = process.argv.indexOf('--rate');
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error('--rate takes deliveries per second (0: all at once)');
  }
  return value;
}

/** A signed `pull_request` delivery of GitHub's own example payload. */
function delivery(action: string, number: number, headSha: string) {
  const opened = (
    examples.find(e => e.name === 'pull_request')!.examples as any[]
  ).find(e => e.action === 'opened');
  const body = JSON.stringify({
    ...opened,
    action,
    number,
    pull_request: {
      ...opened.pull_request,
      number,
      updated_at: new Date().toISOString(),
      head: { ...opened.pull_request.head, sha: headSha, ref: `pr-${number}` },
    },
    repository: { ...opened.repository, full_name: REPO },
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': `bench-p3-${action}-${number}-${headSha}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET)
        .update(body)
        .digest('hex')}`,
    },
  };
}

async function deliver(action: string, number: number, headSha: string) {
  const response = await fetch(ROUTE, {
    method: 'POST',
    ...delivery(action, number, headSha),
  });
  const answer = await response.json();
  if (response.status !== 202) {
    throw new Error(`delivery answered ${response.status}`);
  }
  return answer as { outcome: string };
}

/**
 * The fake GitHub of OpsHub's tests; records when each head's success
 * status arrives.
 */
async function startTimedGithub() {
  const api = await startFakeGithub();
  const succeededAt = new Map<string, number>();
  api.route('POST /repos/:owner/:repo/statuses/:sha', ({ params, body }) => {
    const status = body as { state: string; context: string };
    if (status.context === 'opshub/preview' && status.state === 'success') {
      succeededAt.set(params.sha, performance.now());
    }
    return { status: 201, body: { id: 1 } };
  });
  return { api, succeededAt };
}

const shaOf = (run: string, number: number) =>
  createHash('sha1').update(`${run}-${number}`).digest('hex');

/** One repeat: 500 PRs opened at `rate` per second; latency per PR in ms. */
async function measureRepeat(
  run: string,
  firstNumber: number,
  rate: number,
  succeededAt: Map<string, number>,
): Promise<number[]> {
  const acceptedAt = new Map<string, number>();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: PRS }, async (_, i) => {
      const sendAt = rate > 0 ? start + (i * 1000) / rate : start;
      await new Promise(resolve =>
        setTimeout(resolve, Math.max(0, sendAt - performance.now())),
      );
      const sha = shaOf(run, firstNumber + i);
      await deliver('opened', firstNumber + i, sha);
      acceptedAt.set(sha, performance.now());
    }),
  );
  const shas = [...acceptedAt.keys()];
  await waitUntil(
    async () => shas.every(sha => succeededAt.has(sha)),
    120_000,
    20,
  );
  return shas.map(sha => succeededAt.get(sha)! - acceptedAt.get(sha)!);
}

async function main() {
  const repeats = repeatsFromArgs();
  const rate = rateFromArgs();
  const github = await startTimedGithub();
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
  const results: Array<{ p50: number; p99: number; max: number }> = [];
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
      await checkpoint();
      const latencies = await measureRepeat(
        `${r}-${Date.now()}`,
        r * 10_000,
        rate,
        github.succeededAt,
      );
      const result = {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: Math.max(...latencies),
      };
      results.push(result);
      console.log(
        `P3 repeat ${r}: ${PRS} PRs ${
          rate ? `at ${rate}/s` : 'all at once'
        }, 202 -> success status p50 ${round(result.p50)} ms, p95 ${round(
          percentile(latencies, 95),
        )} ms, p99 ${round(result.p99)} ms, max ${round(result.max)} ms`,
      );
      // Let the rest of this repeat's work (Slack, comments) drain.
      await new Promise(resolve => setTimeout(resolve, 3_000));
    }
  } finally {
    await stopProcess(backend.child);
    await github.api.close();
    await slack.close();
  }
  const p50 = percentile(
    results.map(r => r.p50),
    50,
  );
  const p99 = percentile(
    results.map(r => r.p99),
    50,
  );
  console.log(
    `P3 median of ${repeats} repeats: p50 ${round(
      p50,
    )} ms (goal < 150), p99 ${round(p99)} ms (goal < 500): ${
      p50 < 150 && p99 < 500 ? 'met' : 'NOT met'
    }; ${github.api.requests.length} GitHub requests, ${
      slack.seen.length
    } Slack messages`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
