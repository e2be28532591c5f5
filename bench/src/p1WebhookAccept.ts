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
 * and every process started here is stopped here.
 *
 * Every delivery is an `opened` event of a pull request of its own (a new
 * number, head and `updated_at`), so each one inserts a job rather than
 * replacing the waiting job of the same PR (coalescing key
 * `preview:<entityRef>#<pr>`); after each phase the database says how many
 * did which. Throughput counts only the expected answers (202; 404 for the
 * reference); every other answer is counted and printed apart. The
 * deliveries name the demo entity's repository (each becomes a preview
 * job); set OPSHUB_BENCH_REPO=owner/name to send them for an unmatched one
 * instead.
 *
 *   yarn workspace @internal/opshub-bench p1 [--repeats 3]
 *     [--steady-seconds 30] [--throughput-seconds 10]
 */
import examples from '@octokit/webhooks-examples';
import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { cpuSnapshot } from './lib/cpu';
import {
  closedLoop,
  combine,
  type Delivery,
  describeOthers,
  type LoadResult,
  mergeOthers,
  openLoop,
  othersCount,
} from './lib/load';
import {
  checkpoint,
  connect,
  freshDatabase,
  PG_URL,
  waitUntil,
} from './lib/postgres';
import {
  nodeTransform,
  repoRoot,
  startBackend,
  startProcess,
  stopProcess,
} from './lib/processes';
import {
  median,
  numberFromArgs,
  passOrFail,
  percentile,
  repeatsFromArgs,
  round,
} from './lib/stats';

const SECRET = 'opshub-bench-webhook-secret';
const FLOOR_PORT = 7111;
const BACKEND = 'http://127.0.0.1:7007';
const ROUTE = `${BACKEND}/api/opshub/webhooks/github`;
const FLOOR = `http://127.0.0.1:${FLOOR_PORT}/`;
const BARE_PORT = 7112;
const BARE_ROUTE = `http://127.0.0.1:${BARE_PORT}/api/opshub/webhooks/github`;
const PAYLOAD_BYTES = 24 * 1024;
const REPO = process.env.OPSHUB_BENCH_REPO ?? 'acme/storefront';
/** packages/backend's OpsHub database: the config's prefix + plugin id. */
const BACKEND_DATABASE = 'opshub_bench_p1_opshub';
/** 6,000 requests at 200/s: p99 is the 60th slowest, not a single stall. */
const STEADY_MS = numberFromArgs('steady-seconds', 30, { min: 1 }) * 1000;
/** Throughput per system and repeat, taken in 5 interleaved slices. */
const SLICES = 5;
const SLICE_MS =
  (numberFromArgs('throughput-seconds', 10, { min: 0.5 }) * 1000) / SLICES;
const GOAL_RATIO = 0.7;
const GOAL_P99_MS = 25;

/**
 * HMAC-SHA256 (RFC 2104) of bodies that all start with `prefix`: the inner
 * hash of the key and the prefix is taken once and copied for each body,
 * so signing a 24 KB delivery hashes only its last few hundred bytes and
 * the load generator does not take CPU from the servers it measures.
 */
function prefixSigner(secret: string, prefix: Buffer) {
  const BLOCK = 64;
  let key = Buffer.from(secret);
  if (key.length > BLOCK) key = createHash('sha256').update(key).digest();
  const padded = Buffer.alloc(BLOCK);
  key.copy(padded);
  const xor = (byte: number) => Buffer.from(padded.map(b => b ^ byte));
  const outerKey = xor(0x5c);
  const inner = createHash('sha256').update(xor(0x36)).update(prefix);
  return (tail: Buffer) =>
    `sha256=${createHash('sha256')
      .update(outerKey)
      .update(inner.copy().update(tail).digest())
      .digest('hex')}`;
}

/**
 * Signed 24 KB `opened` deliveries of GitHub's example payload, each for a
 * pull request of its own: numbers 1, 2, 3, ... (one source per database,
 * for the whole run), a head of their own, and `updated_at` the time the
 * delivery is made (strictly increasing, to the millisecond). The fields
 * that change come last in the body (JSON key order means nothing to a
 * receiver), so the constant part before them is hashed once.
 */
function deliverySource(name: string): () => Delivery {
  const opened = (
    examples.find(e => e.name === 'pull_request')!.examples as any[]
  ).find(e => e.action === 'opened');
  const { pull_request: pr, number: _number, ...event } = opened;
  const {
    body: _body,
    head,
    number: _prNumber,
    created_at: _created,
    updated_at: _updated,
    ...pullRequest
  } = pr;
  const { ref: _ref, sha: _sha, ...headRest } = head;
  const template = (padding: string) =>
    JSON.stringify({
      ...event,
      repository: { ...event.repository, full_name: REPO },
      pull_request: {
        body: padding,
        ...pullRequest,
        head: { ...headRest, ref: '@@ref@@', sha: '@@sha@@' },
        created_at: '@@at@@',
        updated_at: '@@at@@',
        number: '@@number@@',
      },
      number: '@@number@@',
    });
  const runId = `${name}-${Date.now()}`;
  const valuesOf = (number: number, at: number) => ({
    number: String(number),
    at: JSON.stringify(new Date(at).toISOString()),
    ref: JSON.stringify(`bench-pr-${number}`),
    sha: JSON.stringify(
      createHash('sha1').update(`${runId}-${number}`).digest('hex'),
    ),
  });
  const fill = (text: string, values: Record<string, string>) =>
    text.replace(/"@@(\w+)@@"/g, (_, token) => values[token]);
  const sample = fill(template(''), valuesOf(100_000, Date.now()));
  const text = template('x'.repeat(Math.max(0, PAYLOAD_BYTES - sample.length)));
  const cut = text.indexOf('"@@');
  const prefix = Buffer.from(text.slice(0, cut));
  const tailTemplate = text.slice(cut);
  const sign = prefixSigner(SECRET, prefix);

  let number = 0;
  let lastAt = 0;
  return () => {
    number += 1;
    lastAt = Math.max(Date.now(), lastAt + 1);
    const tail = Buffer.from(fill(tailTemplate, valuesOf(number, lastAt)));
    return {
      body: Buffer.concat([prefix, tail]),
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': `bench-${runId}-${number}`,
        'x-hub-signature-256': sign(tail),
      },
    };
  };
}

/** What a system's database holds so far; the difference is a phase's. */
type DatabaseCounts = {
  /** Rows of the floor's table, or webhook deliveries recorded. */
  deliveries: number;
  /** Deliveries recorded `enqueued`, and the jobs they asked for. */
  enqueued: number;
  jobsRequested: number;
  /** `create-preview` jobs: a replaced job keeps its row and its id. */
  jobs: number;
};

/** Counts of an OpsHub database (backend or bare route). */
function opshubCounter(url: string) {
  const knex = connect(url, 1);
  const count = async (): Promise<DatabaseCounts> => {
    const { rows } = await knex.raw(`SELECT
      (SELECT count(*) FROM webhook_deliveries) AS deliveries,
      (SELECT count(*) FROM webhook_deliveries WHERE outcome = 'enqueued') AS enqueued,
      (SELECT coalesce(sum(job_count), 0) FROM webhook_deliveries
        WHERE outcome = 'enqueued') AS jobs_requested,
      (SELECT count(*) FROM jobs WHERE type = 'create-preview') AS jobs`);
    const [row] = rows;
    return {
      deliveries: Number(row.deliveries),
      enqueued: Number(row.enqueued),
      jobsRequested: Number(row.jobs_requested),
      jobs: Number(row.jobs),
    };
  };
  return { count, close: () => knex.destroy() };
}

function floorCounter(url: string) {
  const knex = connect(url, 1);
  const count = async (): Promise<DatabaseCounts> => {
    const { rows } = await knex.raw(
      'SELECT count(*) AS n FROM floor_deliveries',
    );
    const n = Number(rows[0].n);
    return { deliveries: n, enqueued: 0, jobsRequested: 0, jobs: 0 };
  };
  return { count, close: () => knex.destroy() };
}

const difference = (
  after: DatabaseCounts,
  before: DatabaseCounts,
): DatabaseCounts => ({
  deliveries: after.deliveries - before.deliveries,
  enqueued: after.enqueued - before.enqueued,
  jobsRequested: after.jobsRequested - before.jobsRequested,
  jobs: after.jobs - before.jobs,
});

const sumCounts = (all: DatabaseCounts[]): DatabaseCounts =>
  all.reduce(
    (sum, c) => ({
      deliveries: sum.deliveries + c.deliveries,
      enqueued: sum.enqueued + c.enqueued,
      jobsRequested: sum.jobsRequested + c.jobsRequested,
      jobs: sum.jobs + c.jobs,
    }),
    { deliveries: 0, enqueued: 0, jobsRequested: 0, jobs: 0 },
  );

/** Jobs requested that did not add a row replaced a waiting one. */
const replaced = (c: DatabaseCounts) => c.jobsRequested - c.jobs;

/** One phase's writes, as the system's database counts them. */
function describeWrites(system: System, c: DatabaseCounts): string {
  if (system.database === 'none') return 'database: none written (by design)';
  if (system.database === 'floor') {
    return `database: ${c.deliveries} rows inserted`;
  }
  const share =
    c.jobsRequested > 0
      ? ` (${round((replaced(c) / c.jobsRequested) * 100)} %)`
      : '';
  return [
    `database: ${c.deliveries} deliveries recorded, ${c.enqueued} enqueued`,
    `(${c.jobsRequested} jobs asked for): ${c.jobs} inserted a new`,
    `create-preview job, ${replaced(c)} replaced a waiting one${share}`,
  ].join(' ');
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

async function startP1Backend(next: () => Delivery) {
  const backend = await startBackend({
    config: 'app-config.bench.yaml',
    databasePrefix: 'opshub_bench_p1_',
    keepDatabases: ['opshub_bench_p1_floor'],
    url: BACKEND,
  });
  // Ready once the project sync has mapped acme/storefront to its entity.
  // The probes are deliveries of the route's own source: their PR numbers
  // are not sent again.
  await waitUntil(
    async () => {
      const delivery = next();
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
  /** What each phase wrote, from the system's database. */
  writes: { throughput: DatabaseCounts; steady: DatabaseCounts };
  /** CPU milliseconds per request during the throughput run. */
  cpuMs: { server: number; postgres: number };
};

/**
 * One repeat for every system. The steady run comes first, 30 s per system
 * in turn, each on a system just warmed up and not recovering from the
 * overload of a throughput run. The throughput runs are interleaved: five
 * 2 s slices per system taken in turn, so that the machine's drift (which
 * moved the floor by half between sequential runs) falls on every system
 * alike. Each phase's writes are counted from the database before and after
 * it (between runs, never during one).
 */
async function measureRepeat(
  systems: System[],
  repeat: number,
): Promise<Measured[]> {
  /** A slice of 50 connections sending back to back to system i. */
  const burst = (i: number) =>
    closedLoop({
      url: systems[i].url,
      connections: 50,
      durationMs: SLICE_MS,
      next: systems[i].next,
      expectStatus: systems[i].expectStatus,
    });
  const steady: LoadResult[] = [];
  const steadyWrites: DatabaseCounts[] = [];
  for (const [i, system] of systems.entries()) {
    await burst(i); // warm-up
    await checkpoint();
    const before = await system.count();
    const run = await openLoop({
      url: system.url,
      ratePerSecond: 200,
      durationMs: STEADY_MS,
      next: system.next,
      expectStatus: system.expectStatus,
    });
    const writes = difference(await system.count(), before);
    steady.push(run);
    steadyWrites.push(writes);
    console.log(
      `P1 repeat ${repeat} at 200 req/s, ${system.name}: ${
        run.accepted
      } answers ${system.expectStatus}, others: ${describeOthers(
        run.others,
      )}; ${describeWrites(system, writes)}`,
    );
  }
  await checkpoint();
  const throughput = systems.map((): LoadResult[] => []);
  const cpuSeconds = systems.map(() => ({ server: 0, postgres: 0 }));
  const before = await Promise.all(systems.map(system => system.count()));
  for (let slice = 0; slice < SLICES; slice++) {
    for (const [i, { pid }] of systems.entries()) {
      const cpuBefore = cpuSnapshot(pid());
      throughput[i].push(await burst(i));
      const cpuAfter = cpuSnapshot(pid());
      cpuSeconds[i].server += cpuAfter.server - cpuBefore.server;
      cpuSeconds[i].postgres += cpuAfter.postgres - cpuBefore.postgres;
    }
  }
  const after = await Promise.all(systems.map(system => system.count()));
  return systems.map((system, i) => {
    const run = combine(throughput[i]);
    const writes = difference(after[i], before[i]);
    console.log(
      `P1 repeat ${repeat} at 50 connections, ${system.name}: ${
        run.accepted
      } answers ${system.expectStatus}, others: ${describeOthers(
        run.others,
      )}; ${describeWrites(system, writes)}`,
    );
    const perRequest = (seconds: number) =>
      round((seconds * 1000) / run.requests, 2);
    return {
      throughput: run,
      steady: steady[i],
      writes: { throughput: writes, steady: steadyWrites[i] },
      cpuMs: {
        server: perRequest(cpuSeconds[i].server),
        postgres: perRequest(cpuSeconds[i].postgres),
      },
    };
  });
}

/** Expected answers (202; 404 for the reference) per second: nothing else. */
const rate = (r: LoadResult) => round(r.accepted / r.seconds, 0);
const p = (r: LoadResult, q: number) => round(percentile(r.latenciesMs, q));

function describe(system: System, m: Measured) {
  const { throughput: t, steady, cpuMs } = m;
  return [
    `${system.name}: ${rate(t)} req/s answered ${
      system.expectStatus
    } at 50 connections`,
    `(p50 ${p(t, 50)} ms, p99 ${p(t, 99)} ms, ${othersCount(t)} other answers;`,
    `CPU per request: server ${cpuMs.server} ms, PostgreSQL ${cpuMs.postgres} ms);`,
    `at 200 req/s p50 ${p(steady, 50)} ms, p99 ${p(steady, 99)} ms,`,
    `${othersCount(steady)} other answers`,
  ].join(' ');
}

type System = {
  name: string;
  url: string;
  expectStatus: number;
  pid: () => number;
  /** Deliveries for this system's database: each PR number once. */
  next: () => Delivery;
  /** What the database holds; the difference around a phase is its own. */
  database: 'opshub' | 'floor' | 'none';
  count: () => Promise<DatabaseCounts>;
};

async function main() {
  const repeats = repeatsFromArgs();
  const floor = await startBenchServer(
    'src/p1FloorServer.ts',
    'opshub_bench_p1_floor',
    FLOOR_PORT,
  );
  const routeDeliveries = deliverySource('route');
  const backend = await startP1Backend(routeDeliveries);
  const bare = await startBenchServer(
    'src/p1BareRouteServer.ts',
    'opshub_bench_bare_route',
    BARE_PORT,
  );
  const counters = {
    floor: floorCounter(`${PG_URL}/opshub_bench_p1_floor`),
    bare: opshubCounter(`${PG_URL}/opshub_bench_bare_route`),
    backend: opshubCounter(`${PG_URL}/${BACKEND_DATABASE}`),
  };
  const nothing = async () => sumCounts([]);
  const systems: System[] = [
    {
      name: 'floor (http + HMAC + 1 INSERT)',
      url: FLOOR,
      expectStatus: 202,
      pid: () => floor.child.pid!,
      next: deliverySource('floor'),
      database: 'floor',
      count: counters.floor.count,
    },
    {
      name: 'opshub route on bare express',
      url: BARE_ROUTE,
      expectStatus: 202,
      pid: () => bare.child.pid!,
      next: deliverySource('bare'),
      database: 'opshub',
      count: counters.bare.count,
    },
    {
      name: 'opshub route (packages/backend)',
      url: ROUTE,
      expectStatus: 202,
      pid: () => backend.child.pid!,
      next: routeDeliveries,
      database: 'opshub',
      count: counters.backend.count,
    },
    {
      // The same requests through packages/backend to an open OpsHub path
      // with no POST handler: the backend's own cost and tail, with no OpsHub
      // work but its per-user mutation limit (no token here: it only looks).
      name: 'packages/backend, no handler (404)',
      url: `${BACKEND}/api/opshub/health`,
      expectStatus: 404,
      pid: () => backend.child.pid!,
      next: deliverySource('404'),
      database: 'none',
      count: nothing,
    },
  ];
  const results = new Map<string, Measured[]>(systems.map(s => [s.name, []]));
  try {
    for (let r = 1; r <= repeats; r++) {
      const measured = await measureRepeat(systems, r);
      systems.forEach((system, i) => {
        results.get(system.name)!.push(measured[i]);
        console.log(`P1 repeat ${r} ${describe(system, measured[i])}`);
      });
    }
  } finally {
    await Promise.all(Object.values(counters).map(c => c.close()));
    await stopProcess(backend.child);
    await stopProcess(bare.child);
    await stopProcess(floor.child);
  }

  console.log(
    `\nP1 webhook accept (24 KB signed pull_request, one new PR each, PostgreSQL), medians of ${repeats}`,
  );
  const medians = systems.map(system => {
    const runs = results.get(system.name)!;
    const med = (pick: (m: Measured) => number) => median(runs.map(pick));
    const summary = {
      rate: med(m => rate(m.throughput)),
      p50: med(m => p(m.steady, 50)),
      p99: med(m => p(m.steady, 99)),
      cpu: med(m => m.cpuMs.server),
      steadyOthers: mergeOthers(runs.map(m => m.steady.others)),
      throughputOthers: mergeOthers(runs.map(m => m.throughput.others)),
      writes: sumCounts(
        runs.flatMap(m => [m.writes.steady, m.writes.throughput]),
      ),
    };
    console.log(
      `  ${system.name.padEnd(34)} ${summary.rate} req/s answered ${
        system.expectStatus
      } (server CPU ${summary.cpu} ms/request); at 200 req/s p50 ${
        summary.p50
      } ms, p99 ${summary.p99} ms`,
    );
    console.log(
      `  ${''.padEnd(34)} other answers: at 200 req/s ${describeOthers(
        summary.steadyOthers,
      )}; at 50 connections ${describeOthers(summary.throughputOthers)}`,
    );
    if (system.database === 'opshub') {
      const w = summary.writes;
      console.log(
        `  ${''.padEnd(34)} all measured phases: ${
          w.jobs
        } jobs inserted, ${replaced(w)} replaced a waiting one, of ${
          w.jobsRequested
        } asked for by ${w.enqueued} enqueued deliveries`,
      );
    }
    return summary;
  });
  const route = medians[2];
  // The ratio within each repeat, whose systems ran interleaved.
  const [floorRuns, , routeRuns] = systems.map(({ name }) =>
    results.get(name)!.map(m => rate(m.throughput)),
  );
  const ratios = routeRuns.map((routeRate, i) => routeRate / floorRuns[i]);
  const ratio = median(ratios);
  const routeSteadyOthers = Object.values(route.steadyOthers).reduce(
    (sum, n) => sum + n,
    0,
  );
  console.log(
    `  route / floor (202 answers per second): ${round(
      ratio * 100,
      0,
    )} % (goal >= ${GOAL_RATIO * 100} %: ${passOrFail(
      ratio >= GOAL_RATIO,
    )}; per repeat ${ratios
      .map(each => `${round(each * 100, 0)} %`)
      .join(', ')})`,
  );
  console.log(
    `  route p99 at 200 req/s: ${
      route.p99
    } ms, ${routeSteadyOthers} answers not 202 (goal < ${GOAL_P99_MS} ms, all 202: ${passOrFail(
      route.p99 < GOAL_P99_MS && routeSteadyOthers === 0,
    )})`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
