/*
 * P5 deploy analytics: `--events` (1,000,000) deploy events over
 * `--entities` (200) entities and `--days` (365) UTC days ending yesterday,
 * on PostgreSQL (src/lib/deployEvents.ts says what they look like). In one
 * run:
 *
 * - OpsHub's full aggregation (`rebuildDailyDeployStats`) beside one
 *   hand-written statement computing the same daily numbers with
 *   `percentile_disc` (src/lib/deployStatsBaseline.ts), alternating, each
 *   after a CHECKPOINT; goal: OpsHub <= 2x the baseline's time;
 * - OpsHub's daily rows equal to the baseline's on every day (else FAIL);
 * - the incremental run (`updateDailyDeployStats`) after 1,000 new events
 *   (900 today, 100 late ones in the last 30 days); goal < 1 s; the rows
 *   equal to a fresh baseline's again after the last one;
 * - through packages/backend (app-config.p5.yaml, port 7018) as the guest
 *   user, an org owner: the entity route over 90 days, 200 requests in
 *   turn over the entities, p95 < 50 ms; the overview over 90 days,
 *   `--overview-requests` (100), p95 < 500 ms.
 *
 * Everything listens on 127.0.0.1; the databases (`opshub_bench_p5_*`) are
 * dropped at the end and the backend started here is stopped here.
 *
 *   yarn workspace @internal/opshub-bench p5 [--repeats 3] [--events 1000000]
 *     [--entities 200] [--days 365] [--requests 200] [--overview-requests 100]
 */
import { migrateUp } from '@opshub/plugin-opshub-backend/src/database/migrations';
import {
  rebuildDailyDeployStats,
  updateDailyDeployStats,
} from '@opshub/plugin-opshub-backend/src/analytics/metrics/updateDailyDeployStats';
import type { Knex } from 'knex';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  benchEntityRef,
  DAY_MS,
  insertDeployEvents,
  isoDay,
} from './lib/deployEvents';
import {
  compareWithBaseline,
  createBaselineTable,
  runBaselineAggregation,
  type StatsComparison,
} from './lib/deployStatsBaseline';
import {
  checkpoint,
  connect,
  freshDatabase,
  PG_URL,
  waitUntil,
} from './lib/postgres';
import {
  startBackend,
  type StartedProcess,
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

const BACKEND = 'http://127.0.0.1:7018';
const DATABASE_PREFIX = 'opshub_bench_p5_';
const DATABASE = `${DATABASE_PREFIX}opshub`;
const EVENTS = numberFromArgs('events', 1_000_000, { min: 1, integer: true });
const ENTITIES = numberFromArgs('entities', 200, { min: 1, integer: true });
const DAYS = numberFromArgs('days', 365, { min: 1, integer: true });
const REQUESTS = numberFromArgs('requests', 200, { min: 1, integer: true });
const OVERVIEW_REQUESTS = numberFromArgs('overview-requests', 100, {
  min: 1,
  integer: true,
});
const NEW_EVENTS = 1_000;
const LATE_EVENTS = 100;
const WINDOW_DAYS = 90;
const GOAL_REBUILD_RATIO = 2;
const GOAL_INCREMENTAL_MS = 1_000;
const GOAL_ENTITY_P95_MS = 50;
const GOAL_OVERVIEW_P95_MS = 500;

const todayMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
/** The loaded days end yesterday: today only has the new events. */
const FIRST_DAY_MS = todayMs - DAYS * DAY_MS;
/** Holidays without a deploy (day indexes of the loaded range). */
const EMPTY_DAYS = [17, 18, 150, 250, 251, 300].filter(d => d + 3 < DAYS);

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

const ms = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value)
    ? 'not measured'
    : `${round(value)} ms`;

async function loadEvents(db: Knex) {
  const [loadMs] = await timed(() =>
    insertDeployEvents(db, {
      events: EVENTS,
      entities: ENTITIES,
      firstDayMs: FIRST_DAY_MS,
      days: DAYS,
      emptyDays: EMPTY_DAYS,
      weekendDip: true,
      lateStarters: true,
      seed: 0.17,
    }),
  );
  // A table in its steady state: visibility map set, statistics known (no
  // autovacuum in the middle of a measurement).
  await db.raw('VACUUM (ANALYZE) deploy_events');
  const {
    rows: [shape],
  } = await db.raw(
    `SELECT count(*) AS events,
            count(DISTINCT entity_ref) AS entities,
            count(DISTINCT to_char(queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) AS days,
            count(*) FILTER (WHERE environment_class = 'production') AS production,
            count(*) FILTER (WHERE outcome = 'failed') AS failed,
            pg_size_pretty(pg_total_relation_size('deploy_events')) AS size
       FROM deploy_events`,
  );
  console.log(
    `P5 loaded ${shape.events} events in ${round(loadMs / 1000)} s: ${
      shape.entities
    } entities, ${shape.days} of ${DAYS} days with deploys, ${
      shape.production
    } production, ${shape.failed} failed; deploy_events ${shape.size}`,
  );
}

/** The new events of a repeat: 900 today (so far), 100 late ones. */
async function insertNewEvents(db: Knex, repeat: number) {
  const sinceMidnight = (Date.now() - todayMs - 60_000) / DAY_MS;
  await insertDeployEvents(db, {
    events: NEW_EVENTS - LATE_EVENTS,
    entities: ENTITIES,
    firstDayMs: todayMs,
    days: 1,
    dayFraction: Math.max(0.0001, sinceMidnight),
    updatedAtNow: true,
    seed: 0.5 + repeat / 100,
  });
  await insertDeployEvents(db, {
    events: LATE_EVENTS,
    entities: ENTITIES,
    firstDayMs: todayMs - Math.min(30, DAYS) * DAY_MS,
    days: Math.min(30, DAYS),
    updatedAtNow: true,
    seed: -0.5 - repeat / 100,
  });
}

/** Every day of the loaded range and today. */
const allDays = () =>
  Array.from({ length: DAYS + 1 }, (_, d) => isoDay(FIRST_DAY_MS + d * DAY_MS));

function describeComparison(c: StatsComparison) {
  return `${c.rows} rows of ${c.days} days compared, ${c.mismatches} differ${
    c.examples.length ? `: ${c.examples.join('; ')}` : ''
  }`;
}

interface AggregationRepeat {
  baselineMs: number;
  rebuildMs: number;
  incrementalMs: number;
  incrementalDays: number | 'all';
  /** The rebuild's rows against the baseline's of the same events. */
  comparison?: StatsComparison;
}

async function aggregationRepeat(
  db: Knex,
  repeat: number,
  options: { compare: boolean },
): Promise<AggregationRepeat> {
  await checkpoint();
  const [baselineMs] = await timed(() => runBaselineAggregation(db));
  await checkpoint();
  const [rebuildMs] = await timed(() => rebuildDailyDeployStats(db));
  const comparison = options.compare
    ? await compareWithBaseline(db, allDays())
    : undefined;
  if (comparison) {
    console.log(`P5 after a rebuild: ${describeComparison(comparison)}`);
  }
  await insertNewEvents(db, repeat);
  await checkpoint();
  const [incrementalMs, run] = await timed(() =>
    updateDailyDeployStats(db, { nowMs: Date.now() }),
  );
  const result = {
    baselineMs,
    rebuildMs,
    incrementalMs,
    incrementalDays: run.days,
    comparison,
  };
  console.log(
    `P5 repeat ${repeat}: baseline ${ms(baselineMs)}, OpsHub rebuild ${ms(
      rebuildMs,
    )} (${round(
      rebuildMs / baselineMs,
      2,
    )}x); ${NEW_EVENTS} new events: incremental ${ms(incrementalMs)} (${
      run.days
    } entity days)`,
  );
  return result;
}

/** The guest user's Backstage token (an OpsHub org owner). */
async function guestToken(): Promise<string> {
  const response = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!response.ok) {
    throw new Error(
      `guest sign-in: ${response.status} ${await response.text()}`,
    );
  }
  const body = (await response.json()) as {
    backstageIdentity: { token: string };
  };
  return body.backstageIdentity.token;
}

/** The bench's Components, each naming its repository (project sync tracks them). */
async function writeEntities(dir: string): Promise<string> {
  const file = join(dir, 'p5-entities.yaml');
  const docs = Array.from(
    { length: ENTITIES },
    (_, n) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bench-p5-${n}
  annotations:
    github.com/project-slug: acme/bench-p5-${n}
spec:
  type: service
  lifecycle: production
  owner: group:default/bench-p5
`,
  );
  await writeFile(file, docs.join('---\n'));
  return file;
}

async function getJson(path: string, token: string) {
  const response = await fetch(`${BACKEND}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 500)}`);
  }
  return JSON.parse(text);
}

/** Latencies of sequential requests, after `warmup` unmeasured ones. */
async function latencies(
  paths: (i: number) => string,
  count: number,
  token: string,
  warmup: number,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await getJson(paths(i), token);
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    const [took] = await timed(() => getJson(paths(i), token));
    result.push(took);
  }
  return result;
}

interface HttpResult {
  entity?: number[];
  overview?: number[];
  /** The route's total of an entity equals its events' count. */
  entityTotalsAgree?: boolean;
  skipped?: string;
}

async function measureHttp(db: Knex, dir: string): Promise<HttpResult> {
  const started: StartedProcess[] = [];
  try {
    const backend = await startBackend({
      config: 'app-config.p5.yaml',
      databasePrefix: DATABASE_PREFIX,
      keepDatabases: [DATABASE],
      url: BACKEND,
      env: {
        APP_CONFIG_catalog_locations: JSON.stringify([
          { type: 'file', target: await writeEntities(dir) },
        ]),
      },
    });
    started.push(backend);
    const token = await guestToken();
    const to = isoDay(todayMs - DAY_MS);
    const from = isoDay(todayMs - WINDOW_DAYS * DAY_MS);
    const entityPath = (i: number) =>
      `/api/opshub/entities/component/default/bench-p5-${
        i % ENTITIES
      }/analytics?from=${from}&to=${to}`;
    const probe = await fetch(`${BACKEND}${entityPath(0)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (probe.status === 404) {
      return { skipped: 'the analytics routes are not mounted' };
    }
    // Project sync tracks the entities (the overview lists projects).
    await waitUntil(
      async () => {
        const [{ n }] = await db('projects')
          .where('entity_ref', 'like', 'component:default/bench-p5-%')
          .count({ n: '*' });
        return Number(n) === ENTITIES;
      },
      120_000,
      500,
    );
    const entity = await latencies(entityPath, REQUESTS, token, 20);
    await describeSlowest(db, entity);
    const first = await getJson(entityPath(0), token);
    const [{ n }] = await db('deploy_events')
      .where('entity_ref', benchEntityRef(0))
      .where('queued_at', '>=', new Date(todayMs - WINDOW_DAYS * DAY_MS))
      .where('queued_at', '<', new Date(todayMs))
      .count({ n: '*' });
    const overview = await latencies(
      () => `/api/opshub/analytics/overview?from=${from}&to=${to}`,
      OVERVIEW_REQUESTS,
      token,
      5,
    );
    return {
      entity,
      overview,
      entityTotalsAgree: first.deploys.total === Number(n),
    };
  } finally {
    for (const child of started.reverse()) await stopProcess(child.child);
  }
}

/** The slowest entity requests and their events in the window. */
async function describeSlowest(db: Knex, latenciesMs: number[]) {
  const slowest = latenciesMs
    .map((took, i) => ({ took, ref: benchEntityRef(i % ENTITIES) }))
    .sort((a, b) => b.took - a.took)
    .slice(0, 3);
  const counts: Array<{ entity_ref: string; n: string }> = await db(
    'deploy_events',
  )
    .whereIn(
      'entity_ref',
      slowest.map(s => s.ref),
    )
    .where('queued_at', '>=', new Date(todayMs - WINDOW_DAYS * DAY_MS))
    .where('queued_at', '<', new Date(todayMs))
    .groupBy('entity_ref')
    .select('entity_ref')
    .count({ n: '*' });
  const events = new Map(counts.map(c => [c.entity_ref, c.n]));
  console.log(
    `P5 slowest entity requests: ${slowest
      .map(s => `${s.ref} ${ms(s.took)} (${events.get(s.ref) ?? 0} events)`)
      .join(', ')}`,
  );
}

async function dropDatabases() {
  const admin = connect(`${PG_URL}/postgres`, 1);
  try {
    const { rows } = await admin.raw(
      `SELECT datname FROM pg_database WHERE starts_with(datname, ?)`,
      [DATABASE_PREFIX],
    );
    for (const { datname } of rows) {
      await admin.raw(`DROP DATABASE ?? WITH (FORCE)`, [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

/** One P5 run at a time: a second one would drop the first's database. */
async function lockOneRun(): Promise<Client> {
  const lock = new Client({ connectionString: `${PG_URL}/postgres` });
  await lock.connect();
  const { rows } = await lock.query(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
    [DATABASE_PREFIX],
  );
  if (!rows[0].locked) {
    await lock.end();
    throw new Error('another P5 run is going on: nothing was started');
  }
  return lock;
}

interface Summary {
  repeats: AggregationRepeat[];
  afterRebuild?: StatsComparison;
  afterIncremental?: StatsComparison;
  http?: HttpResult;
}

function printSummary(s: Summary) {
  const med = (pick: (r: AggregationRepeat) => number) =>
    s.repeats.length ? median(s.repeats.map(pick)) : undefined;
  const ratio = med(r => r.rebuildMs / r.baselineMs);
  const incremental = med(r => r.incrementalMs);
  const p95 = (values?: number[]) =>
    values?.length ? percentile(values, 95) : undefined;
  const entityP95 = p95(s.http?.entity);
  const overviewP95 = p95(s.http?.overview);
  const goal = (value: number | undefined, met: (v: number) => boolean) =>
    value === undefined ? 'not measured' : passOrFail(met(value));
  const exact = (c?: StatsComparison) =>
    c
      ? `${passOrFail(c.mismatches === 0)} (${describeComparison(c)})`
      : 'not measured';
  const http = (values?: number[]) =>
    values?.length
      ? `p50 ${ms(percentile(values, 50))}, p95 ${ms(
          percentile(values, 95),
        )}, max ${ms(Math.max(...values))} (${values.length} requests)`
      : `not measured${s.http?.skipped ? `: ${s.http.skipped}` : ''}`;
  console.log(
    `\nP5 deploy analytics (${EVENTS} events, ${ENTITIES} entities, ${DAYS} days), medians of ${s.repeats.length} repeats`,
  );
  const rows: Array<[string, string, string, string]> = [
    [
      'baseline: one percentile_disc statement',
      ms(med(r => r.baselineMs)),
      '',
      '',
    ],
    ['OpsHub rebuildDailyDeployStats', ms(med(r => r.rebuildMs)), '', ''],
    [
      'OpsHub / baseline',
      ratio === undefined ? 'not measured' : `${round(ratio, 2)}x`,
      `<= ${GOAL_REBUILD_RATIO}x`,
      goal(ratio, v => v <= GOAL_REBUILD_RATIO),
    ],
    [
      `incremental after ${NEW_EVENTS} new events`,
      ms(incremental),
      `< ${GOAL_INCREMENTAL_MS} ms`,
      goal(incremental, v => v < GOAL_INCREMENTAL_MS),
    ],
    [
      `entity route, ${WINDOW_DAYS} days, p95`,
      ms(entityP95),
      `< ${GOAL_ENTITY_P95_MS} ms`,
      goal(entityP95, v => v < GOAL_ENTITY_P95_MS),
    ],
    [
      `overview, ${WINDOW_DAYS} days, p95`,
      ms(overviewP95),
      `< ${GOAL_OVERVIEW_P95_MS} ms`,
      goal(overviewP95, v => v < GOAL_OVERVIEW_P95_MS),
    ],
  ];
  const widths = [0, 1, 2, 3].map(i => Math.max(...rows.map(r => r[i].length)));
  for (const row of rows) {
    console.log(
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}`,
    );
  }
  console.log(
    `  daily rows equal to the baseline's after the rebuild: ${exact(
      s.afterRebuild,
    )}`,
  );
  console.log(
    `  daily rows equal to the baseline's after the incremental runs: ${exact(
      s.afterIncremental,
    )}`,
  );
  console.log(`  entity route: ${http(s.http?.entity)}`);
  console.log(`  overview: ${http(s.http?.overview)}`);
  if (s.http?.entityTotalsAgree !== undefined) {
    console.log(
      `  entity route total of ${benchEntityRef(
        0,
      )} equals its events: ${passOrFail(s.http.entityTotalsAgree)}`,
    );
  }
}

async function main() {
  const repeats = repeatsFromArgs(3);
  const lock = await lockOneRun();
  const summary: Summary = { repeats: [] };
  const dir = await mkdtemp(join(tmpdir(), 'opshub-bench-p5-'));
  let db: Knex | undefined;
  let failed = false;
  try {
    await dropDatabases();
    db = connect(await freshDatabase(DATABASE), 4);
    await migrateUp(db);
    await loadEvents(db);
    await createBaselineTable(db);
    for (let r = 1; r <= repeats; r++) {
      const repeat = await aggregationRepeat(db, r, { compare: r === 1 });
      summary.repeats.push(repeat);
      summary.afterRebuild ??= repeat.comparison;
    }
    await runBaselineAggregation(db);
    summary.afterIncremental = await compareWithBaseline(db, allDays());
    console.log(
      `P5 after the incremental runs: ${describeComparison(
        summary.afterIncremental,
      )}`,
    );
    summary.http = await measureHttp(db, dir);
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    await db?.destroy();
    await dropDatabases();
    await rm(dir, { recursive: true, force: true });
    await lock.end();
  }
  printSummary(summary);
  const mismatched = [summary.afterRebuild, summary.afterIncremental].some(
    c => !c || c.mismatches > 0,
  );
  if (failed || mismatched) process.exit(1);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
