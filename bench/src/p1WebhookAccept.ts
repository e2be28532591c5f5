/*
 * P1 webhook accept: signed 24 KB pull_request deliveries through the real
 * route of a backend started from packages/backend on PostgreSQL, beside a
 * floor measured in the same run (p1FloorServer.ts: bare http + HMAC + one
 * INSERT), OpsHub's route on a bare express app (p1BareRouteServer.ts), and
 * the backend answering the same requests without OpsHub work (a 404).
 * For each: p50/p99 latency at a steady 200 requests/s (30 s), then
 * throughput with 50 connections (10 s, interleaved with the other systems
 * in short slices; see measureRepeat); each phase starts after a
 * CHECKPOINT, as pgbench's runs do. Everything listens and is loaded on
 * 127.0.0.1,
 * and every process started here is stopped here. The deliveries name the
 * demo entity's repository (each becomes a preview job); set
 * OPSHUB_BENCH_REPO=owner/name to send them for an unmatched one instead.
 *
 *   yarn workspace @internal/opshub-bench p1 [--repeats 3]
 */
import examples from '@octokit/webhooks-examples';
import { createHmac } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { cpuSnapshot } from './lib/cpu';
import {
  closedLoop,
  combine,
  type Delivery,
  type LoadResult,
  openLoop,
} from './lib/load';
import { checkpoint, freshDatabase, waitUntil } from './lib/postgres';
import {
  nodeTransform,
  repoRoot,
  startBackend,
  startProcess,
  stopProcess,
} from './lib/processes';
import { median, percentile, repeatsFromArgs, round } from './lib/stats';

const SECRET = 'opshub-bench-webhook-secret';
const FLOOR_PORT = 7111;
const BACKEND = 'http://127.0.0.1:7007';
const ROUTE = `${BACKEND}/api/opshub/webhooks/github`;
const FLOOR = `http://127.0.0.1:${FLOOR_PORT}/`;
const BARE_PORT = 7112;
const BARE_ROUTE = `http://127.0.0.1:${BARE_PORT}/api/opshub/webhooks/github`;
const PAYLOAD_BYTES = 24 * 1024;
/** 6,000 requests at 200/s: p99 is the 60th slowest, not a single stall. */
const STEADY_MS = 30_000;

/** 500 signed bodies for different PRs of the demo entity's repository. */
function deliverySource(runId: string): () => Delivery {
  const opened = (
    examples.find(e => e.name === 'pull_request')!.examples as any[]
  ).find(e => e.action === 'opened');
  const bodies = Array.from({ length: 500 }, (_, i) => {
    const payload = {
      ...opened,
      number: i + 1,
      pull_request: { ...opened.pull_request, number: i + 1, body: '' },
      repository: {
        ...opened.repository,
        full_name: process.env.OPSHUB_BENCH_REPO ?? 'acme/storefront',
      },
    };
    const bare = JSON.stringify(payload).length;
    payload.pull_request.body = 'x'.repeat(Math.max(0, PAYLOAD_BYTES - bare));
    const body = Buffer.from(JSON.stringify(payload));
    const signature = `sha256=${createHmac('sha256', SECRET)
      .update(body)
      .digest('hex')}`;
    return { body, signature };
  });
  let sequence = 0;
  return () => {
    const { body, signature } = bodies[sequence % bodies.length];
    sequence += 1;
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': `bench-${runId}-${sequence}`,
        'x-hub-signature-256': signature,
      },
    };
  };
}

/** A bench server (floor or bare route) on its own fresh database. */
async function startBenchServer(
  script: string,
  database: string,
  port: number,
) {
  const db = await freshDatabase(database);
  const server = startProcess(
    process.execPath,
    ['--require', nodeTransform, script],
    {
      cwd: resolvePath(repoRoot, 'bench'),
      env: {
        OPSHUB_BENCH_SECRET: SECRET,
        OPSHUB_BENCH_DB: db,
        OPSHUB_BENCH_PORT: String(port),
      },
    },
  );
  await waitUntil(
    async () => server.output().includes('listening'),
    60_000,
    50,
  );
  return server;
}

async function startP1Backend() {
  const backend = await startBackend({
    config: 'app-config.bench.yaml',
    databasePrefix: 'opshub_bench_p1_',
    keepDatabases: ['opshub_bench_p1_floor'],
    url: BACKEND,
  });
  // Ready once the project sync has mapped acme/storefront to its entity.
  const probe = deliverySource('probe');
  await waitUntil(
    async () => {
      const delivery = probe();
      const res = await fetch(ROUTE, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      return (
        res.status === 202 &&
        (process.env.OPSHUB_BENCH_REPO !== undefined ||
          (await res.json()).outcome === 'enqueued')
      );
    },
    120_000,
    500,
  );
  return backend;
}

type Measured = {
  throughput: LoadResult;
  steady: LoadResult;
  /** CPU milliseconds per request during the throughput run. */
  cpuMs: { server: number; postgres: number };
};

/**
 * One repeat for every system. The steady run comes first, 30 s per system
 * in turn, each on a system just warmed up and not recovering from the
 * overload of a throughput run. The throughput runs are interleaved: five
 * 2 s slices per system taken in turn, so that the machine's drift (which
 * moved the floor by half between sequential runs) falls on every system
 * alike.
 */
async function measureRepeat(
  systems: System[],
  runId: string,
): Promise<Measured[]> {
  const next = systems.map((_, i) => deliverySource(`${runId}-${i}`));
  /** 2 s of 50 connections sending back to back to system i. */
  const burst = (i: number) =>
    closedLoop({
      url: systems[i].url,
      connections: 50,
      durationMs: 2_000,
      next: next[i],
      expectStatus: systems[i].expectStatus,
    });
  const steady: LoadResult[] = [];
  for (const [i, { url, expectStatus }] of systems.entries()) {
    await burst(i); // warm-up
    await checkpoint();
    steady.push(
      await openLoop({
        url,
        ratePerSecond: 200,
        durationMs: STEADY_MS,
        next: next[i],
        expectStatus,
      }),
    );
  }
  await checkpoint();
  const throughput = systems.map((): LoadResult[] => []);
  const cpuSeconds = systems.map(() => ({ server: 0, postgres: 0 }));
  for (let slice = 0; slice < 5; slice++) {
    for (const [i, { pid }] of systems.entries()) {
      const before = cpuSnapshot(pid());
      throughput[i].push(await burst(i));
      const after = cpuSnapshot(pid());
      cpuSeconds[i].server += after.server - before.server;
      cpuSeconds[i].postgres += after.postgres - before.postgres;
    }
  }
  return systems.map((_, i) => {
    const run = combine(throughput[i]);
    const perRequest = (seconds: number) =>
      round((seconds * 1000) / run.requests, 2);
    return {
      throughput: run,
      steady: steady[i],
      cpuMs: {
        server: perRequest(cpuSeconds[i].server),
        postgres: perRequest(cpuSeconds[i].postgres),
      },
    };
  });
}

const rate = (r: LoadResult) => round(r.requests / r.seconds, 0);
const p = (r: LoadResult, q: number) => round(percentile(r.latenciesMs, q));

function describe(name: string, m: Measured) {
  const { throughput: t, steady, cpuMs } = m;
  return [
    `${name}: ${rate(t)} req/s at 50 connections`,
    `(p50 ${p(t, 50)} ms, p99 ${p(t, 99)} ms, ${t.errors} errors;`,
    `CPU per request: server ${cpuMs.server} ms, PostgreSQL ${cpuMs.postgres} ms);`,
    `at 200 req/s p50 ${p(steady, 50)} ms, p99 ${p(steady, 99)} ms,`,
    `${steady.errors} errors`,
  ].join(' ');
}

type System = {
  name: string;
  url: string;
  expectStatus: number;
  pid: () => number;
};

async function main() {
  const repeats = repeatsFromArgs();
  const floor = await startBenchServer(
    'src/p1FloorServer.ts',
    'opshub_bench_p1_floor',
    FLOOR_PORT,
  );
  const backend = await startP1Backend();
  const bare = await startBenchServer(
    'src/p1BareRouteServer.ts',
    'opshub_bench_bare_route',
    BARE_PORT,
  );
  const systems: System[] = [
    {
      name: 'floor (http + HMAC + 1 INSERT)',
      url: FLOOR,
      expectStatus: 202,
      pid: () => floor.child.pid!,
    },
    {
      name: 'opshub route on bare express',
      url: BARE_ROUTE,
      expectStatus: 202,
      pid: () => bare.child.pid!,
    },
    {
      name: 'opshub route (packages/backend)',
      url: ROUTE,
      expectStatus: 202,
      pid: () => backend.child.pid!,
    },
    {
      // The same requests through packages/backend to an open OpsHub path
      // with no POST handler: the backend's own cost and tail, with no OpsHub
      // work but its per-user mutation limit (no token here: it only looks).
      name: 'packages/backend, no handler (404)',
      url: `${BACKEND}/api/opshub/health`,
      expectStatus: 404,
      pid: () => backend.child.pid!,
    },
  ];
  const results = new Map<string, Measured[]>(systems.map(s => [s.name, []]));
  try {
    for (let r = 1; r <= repeats; r++) {
      const measured = await measureRepeat(systems, `${r}-${Date.now()}`);
      systems.forEach((system, i) => {
        results.get(system.name)!.push(measured[i]);
        console.log(`P1 repeat ${r} ${describe(system.name, measured[i])}`);
      });
    }
  } finally {
    await stopProcess(backend.child);
    await stopProcess(bare.child);
    await stopProcess(floor.child);
  }

  console.log(
    `\nP1 webhook accept (24 KB signed pull_request, PostgreSQL), medians of ${repeats}`,
  );
  const medians = systems.map(({ name }) => {
    const runs = results.get(name)!;
    const med = (pick: (m: Measured) => number) => median(runs.map(pick));
    const summary = {
      rate: med(m => rate(m.throughput)),
      p50: med(m => p(m.steady, 50)),
      p99: med(m => p(m.steady, 99)),
      cpu: med(m => m.cpuMs.server),
    };
    console.log(
      `  ${name.padEnd(34)} ${summary.rate} req/s (server CPU ${
        summary.cpu
      } ms/request); at 200 req/s p50 ${summary.p50} ms, p99 ${summary.p99} ms`,
    );
    return summary;
  });
  const route = medians[2];
  // The ratio within each repeat, whose systems ran interleaved.
  const [floorRuns, , routeRuns] = systems.map(({ name }) =>
    results.get(name)!.map(m => rate(m.throughput)),
  );
  const ratios = routeRuns.map((routeRate, i) => routeRate / floorRuns[i]);
  console.log(
    `  route / floor: ${round(
      median(ratios) * 100,
      0,
    )} % (goal >= 70 %; per repeat ${ratios
      .map(ratio => `${round(ratio * 100, 0)} %`)
      .join(', ')}); route p99 at 200 req/s: ${route.p99} ms (goal < 25 ms)`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
