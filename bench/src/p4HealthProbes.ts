/*
 * P4 health probes at scale: `--checks` (5,000) health checks at a
 * `--interval-seconds` (30) interval against loopback HTTP servers (a
 * process of their own: src/p4Targets.ts), probed by one backend instance
 * of packages/backend on PostgreSQL, for `--minutes` (3) per repeat of
 * alternating slices of `--slice-seconds` (30):
 *
 * - backend slices: the checks enabled with their next due time on their
 *   grid, the backend schedules, probes and records them;
 * - floor slices: the checks disabled (the backend idles) and a bare
 *   `undici` loop (src/p4Floor.ts) probes the same targets at the same due
 *   times and batch-inserts the same sample rows into a table of the same
 *   shape.
 *
 * The checks are rows the bench inserts into `health_checks` (as the API
 * would store them: source `api`, GET, 200-299, 10 s timeout). Per slice:
 * schedule lag (due time -> probe start, from the samples' `at_ms` and the
 * check's grid) p50/p99/max, probes made of those due, CPU per probe of the
 * prober (backend or floor process) and of PostgreSQL (its processes but
 * the connections to other databases: src/lib/postgresCpu.ts), and for
 * backend slices the growth of `pg_total_relation_size` of
 * health_samples per sample. Goals: backend lag p99 < 1 s; backend +
 * PostgreSQL CPU per probe <= 2x the floor's; samples storage <= 1 GB a day
 * at 5,000 checks every 30 s (14.4 million samples). Everything listens on
 * 127.0.0.1, the databases (`opshub_bench_p4_*`) are dropped at the end,
 * and every process started here is stopped here.
 *
 *   yarn workspace @internal/opshub-bench p4 [--repeats 1] [--checks 5000]
 *     [--interval-seconds 30] [--minutes 3] [--slice-seconds 30]
 *     [--servers 50] [--warmup-seconds 10]
 */
import {
  nextProbeAtMs,
  probePhaseMs,
} from '@opshub/plugin-opshub-backend/src/health/probeSchedule';
import type { Knex } from 'knex';
import { once } from 'node:events';
import { resolve as resolvePath } from 'node:path';
import { Client } from 'pg';
import { processCpuSeconds } from './lib/cpu';
import { checkpoint, connect, PG_URL, waitUntil } from './lib/postgres';
import { postgresCpuBetween, postgresCpuSnapshot } from './lib/postgresCpu';
import {
  nodeTransform,
  repoRoot,
  startBackend,
  startProcess,
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

const BACKEND = 'http://127.0.0.1:7017';
const DATABASE_PREFIX = 'opshub_bench_p4_';
const OPSHUB_DATABASE = `${PG_URL}/${DATABASE_PREFIX}opshub`;
const CREATED_BY = 'user:default/opshub-bench-p4';
const CHECKS = numberFromArgs('checks', 5_000, { min: 1, integer: true });
const INTERVAL_MS =
  numberFromArgs('interval-seconds', 30, { min: 1, integer: true }) * 1000;
const MINUTES = numberFromArgs('minutes', 3, { min: 0.5 });
const SLICE_MS =
  numberFromArgs('slice-seconds', 30, { min: 5, integer: true }) * 1000;
const SERVERS = numberFromArgs('servers', 50, { min: 1, integer: true });
const WARMUP_MS =
  numberFromArgs('warmup-seconds', 10, { min: 0, integer: true }) * 1000;
/** Backend slices then floor slices, as many of each, at least one. */
const SLICES = Math.max(2, 2 * Math.round((MINUTES * 60_000) / SLICE_MS / 2));
/** opshub.health.scheduleInterval in app-config.p4.yaml. */
const SCHEDULE_INTERVAL_MS = 5_000;
/** Checks are enabled this long before a backend slice's first due time. */
const BACKEND_LEAD_MS = SCHEDULE_INTERVAL_MS + 3_000;
const GOAL_LAG_P99_MS = 1_000;
const GOAL_CPU_RATIO = 2;
const GOAL_GB_PER_DAY = 1;
/** The issue's load: 5,000 checks every 30 s. */
const GOAL_SAMPLES_PER_DAY = (5_000 * 86_400_000) / 30_000;
const SAMPLES_PER_DAY = (CHECKS * 86_400_000) / INTERVAL_MS;

interface BenchCheck {
  id: number;
  phaseMs: number;
}

type Kind = 'backend' | 'floor';

interface SliceResult {
  kind: Kind;
  /** Due in the slice: every grid point of every check in [start, end). */
  due: number;
  /** Per due probe, start minus due time; missed ones are Infinity. */
  lagsMs: number[];
  duplicates: number;
  /** Probes started in the CPU window, whatever their due time. */
  probes: number;
  failures: Record<string, number>;
  cpu: { prober: number; postgres: number };
  /** The backend's CPU seconds while the floor ran (floor slices). */
  backendIdleCpu?: number;
  storage?: { bytes: number; samples: number };
}

const sleepUntil = (atMs: number) =>
  new Promise(resolve => setTimeout(resolve, Math.max(0, atMs - Date.now())));

const ERROR_CLASSES = [
  'timeout',
  'dns',
  'connect',
  'tls',
  'status',
  'assertion',
  'blocked',
];

function startNodeScript(script: string, args: string[], ipc = false) {
  return startProcess(
    process.execPath,
    ['--require', nodeTransform, script, ...args],
    { cwd: resolvePath(repoRoot, 'bench'), env: {}, ipc },
  );
}

/** Starts the targets (into `started` at once); resolves with their ports. */
async function startTargets(started: StartedProcess[]): Promise<number[]> {
  const targets = startNodeScript('src/p4Targets.ts', [
    '--servers',
    String(SERVERS),
  ]);
  started.push(targets);
  await waitUntil(async () => targets.output().includes('\n'), 60_000, 50);
  try {
    return JSON.parse(targets.output().split('\n')[0]).ports;
  } catch {
    throw new Error(`the targets did not start: ${targets.output()}`);
  }
}

/** The checks, as the API would store them, all disabled for now. */
async function insertChecks(db: Knex, ports: number[]): Promise<BenchCheck[]> {
  const now = new Date();
  const rows = Array.from({ length: CHECKS }, (_, i) => ({
    entity_ref: `component:default/bench-p4-${Math.floor(i / 100)}`,
    name: `probe-${i}`,
    source: 'api',
    url: `http://127.0.0.1:${ports[i % ports.length]}/health/${i}`,
    method: 'GET',
    expected_status: '200-299',
    timeout_ms: 10_000,
    interval_ms: INTERVAL_MS,
    failure_threshold: 3,
    recovery_threshold: 2,
    enabled: false,
    created_by: CREATED_BY,
    created_at: now,
    updated_at: now,
    next_probe_at_ms: null,
  }));
  for (let from = 0; from < rows.length; from += 1_000) {
    await db('health_checks').insert(rows.slice(from, from + 1_000));
  }
  const ids: Array<{ id: number }> = await db('health_checks')
    .where({ created_by: CREATED_BY })
    .select('id')
    .orderBy('id');
  return ids.map(({ id }) => ({
    id: Number(id),
    phaseMs: probePhaseMs(String(id), INTERVAL_MS),
  }));
}

/** Enables every check with its first due time on its grid at or after `startMs`. */
async function enableChecks(db: Knex, checks: BenchCheck[], startMs: number) {
  const ids = checks.map(c => c.id);
  const dues = checks.map(c =>
    nextProbeAtMs(String(c.id), INTERVAL_MS, startMs - 1),
  );
  await db.raw(
    `UPDATE health_checks AS c SET enabled = true, next_probe_at_ms = v.due
       FROM unnest(?::int[], ?::bigint[]) AS v(id, due) WHERE c.id = v.id`,
    [`{${ids.join(',')}}`, `{${dues.join(',')}}`],
  );
}

/**
 * Ends a backend slice's scheduling: no next due time (the schedule task
 * picks up none), and the probe jobs already enqueued for `fromMs` on
 * deleted (the task enqueues up to 3 ticks ahead; in steady state those
 * would be the next slice's probes). The checks stay enabled until the
 * slice's last probes are written: the backend ignores the result of a
 * probe whose check was disabled since it was scheduled, so disabling them
 * now would drop the probes due just before the end.
 */
async function stopScheduling(db: Knex, fromMs: number) {
  // After the update: a schedule run holding the rows enqueues before it
  // commits, and the update waits for it.
  await db('health_checks')
    .where({ created_by: CREATED_BY })
    .update({ next_probe_at_ms: null });
  await db('jobs')
    .where({ type: 'health-probe', state: 'queued' })
    .where('run_at', '>=', new Date(fromMs))
    .delete();
}

/** The floor's slices: the backend has nothing to probe. */
async function disableChecks(db: Knex) {
  await db('health_checks')
    .where({ created_by: CREATED_BY })
    .update({ enabled: false, next_probe_at_ms: null });
}

async function countRows(db: Knex, table: string): Promise<number> {
  const [{ n }] = await db(table).count({ n: '*' });
  return Number(n);
}

/** Total size of health_samples (heap, index, free space map...). */
async function samplesStorage(db: Knex) {
  const { rows } = await db.raw(
    `SELECT pg_total_relation_size('health_samples') AS total,
            pg_relation_size('health_samples') AS heap,
            pg_indexes_size('health_samples') AS indexes,
            (SELECT count(*) FROM health_samples) AS samples`,
  );
  const [row] = rows;
  return {
    total: Number(row.total),
    heap: Number(row.heap),
    indexes: Number(row.indexes),
    samples: Number(row.samples),
  };
}

type Storage = Awaited<ReturnType<typeof samplesStorage>>;

/**
 * Waits until the probes due before the slice ended are written (the
 * samples stop growing), and until no probe job is left queued or running.
 */
async function drainBackend(db: Knex, endMs: number) {
  await sleepUntil(endMs + 2_000);
  await waitUntil(
    async () =>
      Number(
        (
          await db('jobs')
            .where({ type: 'health-probe' })
            .whereIn('state', ['queued', 'running'])
            .count({ n: '*' })
        )[0].n,
      ) === 0,
    120_000,
    500,
  );
  let count = await countRows(db, 'health_samples');
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 1_000));
    const now = await countRows(db, 'health_samples');
    if (now === count) return;
    count = now;
  }
}

/**
 * Lags of the slice's due probes from the samples of a table: a sample's
 * due time is the grid point at or before its start (lags stay below the
 * interval); due times outside [startMs, endMs) are not the slice's.
 */
async function analyse(
  db: Knex,
  table: string,
  checks: BenchCheck[],
  window: { startMs: number; endMs: number; cpuEndMs: number },
) {
  const rows: Array<{
    at_ms: string;
    check_id: number;
    error_class: number | null;
  }> = await db(table)
    .where('at_ms', '>=', window.startMs)
    .andWhere('at_ms', '<', window.cpuEndMs)
    .select('at_ms', 'check_id', 'error_class');
  const phases = new Map(checks.map(c => [c.id, c.phaseMs]));
  const seen = new Set<string>();
  const lagsMs: number[] = [];
  const failures: Record<string, number> = {};
  let duplicates = 0;
  for (const row of rows) {
    const atMs = Number(row.at_ms);
    const phase = phases.get(Number(row.check_id)) ?? 0;
    const lag = (((atMs - phase) % INTERVAL_MS) + INTERVAL_MS) % INTERVAL_MS;
    const dueMs = atMs - lag;
    if (row.error_class !== null) {
      const name = ERROR_CLASSES[row.error_class] ?? String(row.error_class);
      failures[name] = (failures[name] ?? 0) + 1;
    }
    if (dueMs < window.startMs || dueMs >= window.endMs) continue;
    const key = `${row.check_id}@${dueMs}`;
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    lagsMs.push(lag);
  }
  let due = 0;
  for (const check of checks) {
    for (
      let at = nextProbeAtMs(String(check.id), INTERVAL_MS, window.startMs - 1);
      at < window.endMs;
      at += INTERVAL_MS
    ) {
      due += 1;
    }
  }
  while (lagsMs.length < due) lagsMs.push(Infinity);
  return { due, lagsMs, duplicates, probes: rows.length, failures };
}

interface Bench {
  db: Knex;
  checks: BenchCheck[];
  backend: StartedProcess;
  floor: StartedProcess;
  /** Rejects if the floor stops while the bench still needs it. */
  floorExit: Promise<never>;
}

async function backendSlice(
  bench: Bench,
  durationMs: number,
): Promise<SliceResult> {
  const { db, checks } = bench;
  await checkpoint();
  const startMs = Date.now() + BACKEND_LEAD_MS;
  const endMs = startMs + durationMs;
  await enableChecks(db, checks, startMs);
  const sizeBefore = await samplesStorage(db);
  await sleepUntil(startMs);
  const postgresBefore = await postgresCpuSnapshot(db, DATABASE_PREFIX);
  const backendBefore = processCpuSeconds(bench.backend.child.pid!);
  await sleepUntil(endMs);
  await stopScheduling(db, endMs);
  await drainBackend(db, endMs);
  const backendAfter = processCpuSeconds(bench.backend.child.pid!);
  const postgresAfter = await postgresCpuSnapshot(db, DATABASE_PREFIX);
  const cpuEndMs = Date.now();
  await disableChecks(db);
  const sizeAfter = await samplesStorage(db);
  return {
    kind: 'backend',
    ...(await analyse(db, 'health_samples', checks, {
      startMs,
      endMs,
      cpuEndMs,
    })),
    cpu: {
      prober: backendAfter - backendBefore,
      postgres: postgresCpuBetween(postgresBefore, postgresAfter),
    },
    storage: {
      bytes: sizeAfter.total - sizeBefore.total,
      samples: sizeAfter.samples - sizeBefore.samples,
    },
  };
}

async function floorSlice(
  bench: Bench,
  durationMs: number,
): Promise<SliceResult> {
  const { db, checks, floor } = bench;
  await checkpoint();
  const startMs = Date.now() + 1_000;
  const endMs = startMs + durationMs;
  const done = Promise.race([floorMessage(floor, 'done'), bench.floorExit]);
  floor.child.send({ p4: 'slice', startMs, endMs });
  await sleepUntil(startMs);
  const postgresBefore = await postgresCpuSnapshot(db, DATABASE_PREFIX);
  const floorBefore = processCpuSeconds(floor.child.pid!);
  const backendBefore = processCpuSeconds(bench.backend.child.pid!);
  await done;
  const floorAfter = processCpuSeconds(floor.child.pid!);
  const backendAfter = processCpuSeconds(bench.backend.child.pid!);
  const postgresAfter = await postgresCpuSnapshot(db, DATABASE_PREFIX);
  const cpuEndMs = Date.now();
  return {
    kind: 'floor',
    ...(await analyse(db, 'health_samples_floor', checks, {
      startMs,
      endMs,
      cpuEndMs,
    })),
    cpu: {
      prober: floorAfter - floorBefore,
      postgres: postgresCpuBetween(postgresBefore, postgresAfter),
    },
    backendIdleCpu: backendAfter - backendBefore,
  };
}

/**
 * The floor's next message of its own (`{ p4: ... }`): the source
 * transform (`nodeTransform.cjs`) sends its own on the same channel.
 */
function floorMessage(
  floor: StartedProcess,
  type: 'ready' | 'done',
): Promise<any> {
  return new Promise(resolve => {
    const listener = (message: any) => {
      if (message?.p4 !== type) return;
      floor.child.off('message', listener);
      resolve(message);
    };
    floor.child.on('message', listener);
  });
}

const ms = (value: number) =>
  Number.isFinite(value) ? `${round(value)} ms` : 'missed';

function describeLag(lagsMs: number[]) {
  return `lag p50 ${ms(percentile(lagsMs, 50))}, p99 ${ms(
    percentile(lagsMs, 99),
  )}, max ${ms(Math.max(...lagsMs))}`;
}

/** CPU milliseconds per probe: the prober's, PostgreSQL's, and both. */
function cpuPerProbe(slices: SliceResult[]) {
  // No probes (a backend without health checks): NaN, printed as n/a.
  const probes = slices.reduce((sum, s) => sum + s.probes, 0) || NaN;
  const prober = slices.reduce((sum, s) => sum + s.cpu.prober, 0);
  const postgres = slices.reduce((sum, s) => sum + s.cpu.postgres, 0);
  return {
    prober: (prober * 1000) / probes,
    postgres: (postgres * 1000) / probes,
    both: ((prober + postgres) * 1000) / probes,
  };
}

const cpuMs = (value: number) =>
  Number.isFinite(value) ? `${round(value, 3)} ms` : 'n/a';

function describeCpu(kind: Kind, slices: SliceResult[]) {
  const cpu = cpuPerProbe(slices);
  return `CPU per probe ${cpuMs(cpu.both)} (${kind} ${cpuMs(
    cpu.prober,
  )}, PostgreSQL ${cpuMs(cpu.postgres)})`;
}

function describeFailures(failures: Record<string, number>) {
  const entries = Object.entries(failures);
  if (entries.length === 0) return 'no failures';
  return `failures: ${entries.map(([name, n]) => `${n} x ${name}`).join(', ')}`;
}

function describeSlice(slice: SliceResult) {
  const made = slice.lagsMs.filter(Number.isFinite).length;
  const parts = [
    `${made} of ${slice.due} due probes made (${slice.probes} in the CPU window, duplicates ${slice.duplicates})`,
    describeLag(slice.lagsMs),
    describeCpu(slice.kind, [slice]),
    describeFailures(slice.failures),
  ];
  if (slice.storage) {
    parts.push(
      `health_samples +${slice.storage.bytes} bytes for ${
        slice.storage.samples
      } samples (${round(
        slice.storage.bytes / Math.max(1, slice.storage.samples),
      )} bytes per sample)`,
    );
  }
  if (slice.backendIdleCpu !== undefined) {
    parts.push(`backend idle ${round(slice.backendIdleCpu, 2)} s CPU`);
  }
  return parts.join('; ');
}

interface RepeatResult {
  backendLagP50: number;
  backendLagP99: number;
  backendLagMax: number;
  floorLagP50: number;
  floorLagP99: number;
  floorLagMax: number;
  backendCpu: number;
  floorCpu: number;
  cpuRatio: number;
  bytesPerSample: number;
  heapBytesPerSample: number;
  indexBytesPerSample: number;
}

async function runRepeat(bench: Bench, repeat: number): Promise<RepeatResult> {
  const storageBefore: Storage = await samplesStorage(bench.db);
  const slices: SliceResult[] = [];
  for (let s = 1; s <= SLICES; s++) {
    const kind: Kind = s % 2 === 1 ? 'backend' : 'floor';
    const slice =
      kind === 'backend'
        ? await backendSlice(bench, SLICE_MS)
        : await floorSlice(bench, SLICE_MS);
    slices.push(slice);
    console.log(
      `P4 repeat ${repeat} slice ${s} ${kind}: ${describeSlice(slice)}`,
    );
  }
  const storageAfter = await samplesStorage(bench.db);
  const of = (kind: Kind) => slices.filter(s => s.kind === kind);
  const lags = (kind: Kind) => of(kind).flatMap(s => s.lagsMs);
  const backendCpu = cpuPerProbe(of('backend')).both;
  const floorCpu = cpuPerProbe(of('floor')).both;
  const samples = Math.max(1, storageAfter.samples - storageBefore.samples);
  const result: RepeatResult = {
    backendLagP50: percentile(lags('backend'), 50),
    backendLagP99: percentile(lags('backend'), 99),
    backendLagMax: Math.max(...lags('backend')),
    floorLagP50: percentile(lags('floor'), 50),
    floorLagP99: percentile(lags('floor'), 99),
    floorLagMax: Math.max(...lags('floor')),
    backendCpu,
    floorCpu,
    cpuRatio: backendCpu / floorCpu,
    bytesPerSample: (storageAfter.total - storageBefore.total) / samples,
    heapBytesPerSample: (storageAfter.heap - storageBefore.heap) / samples,
    indexBytesPerSample:
      (storageAfter.indexes - storageBefore.indexes) / samples,
  };
  console.log(
    `P4 repeat ${repeat}: backend ${describeLag(
      lags('backend'),
    )}, ${describeCpu('backend', of('backend'))}; floor ${describeLag(
      lags('floor'),
    )}, ${describeCpu('floor', of('floor'))}; ratio ${round(
      result.cpuRatio,
      2,
    )}x; health_samples ${storageBefore.total} -> ${
      storageAfter.total
    } bytes for ${
      storageAfter.samples - storageBefore.samples
    } samples (${round(result.bytesPerSample)} bytes per sample)`,
  );
  return result;
}

/** Starts the floor (into `started` at once) and waits until it has read the checks. */
async function startFloor(started: StartedProcess[]) {
  const floor = startNodeScript(
    'src/p4Floor.ts',
    ['--database', OPSHUB_DATABASE, '--created-by', CREATED_BY],
    true,
  );
  started.push(floor);
  const floorExit = once(floor.child, 'exit').then(() => {
    throw new Error(`the floor stopped: ${floor.output()}`);
  });
  // Handled where it matters (a race with the floor's answer); not before.
  floorExit.catch(() => {});
  const ready = await Promise.race([floorMessage(floor, 'ready'), floorExit]);
  if (ready.checks !== CHECKS) {
    throw new Error(`the floor read ${ready.checks} checks of ${CHECKS}`);
  }
  return { floor, floorExit };
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

/** Bytes a sample takes in a table: its growth over the samples it took. */
interface SampleBytes {
  total: number;
  heap: number;
  index: number;
}

/**
 * One hour of this load's samples (every check at each point of its grid
 * in one whole hour), written in time order as the probes would come, into
 * a table of health_samples's layout: the bytes per sample of a table that
 * holds whole hours, where each (check, hour) key of the index has all its
 * entries (120 at 30 s) to deduplicate. A run of a few minutes writes a
 * few per key, so its index bytes per sample are higher than a day's.
 */
async function oneHourOfSamples(
  db: Knex,
  checks: BenchCheck[],
): Promise<SampleBytes> {
  await db.raw(
    'CREATE TABLE health_samples_hour (LIKE health_samples INCLUDING ALL)',
  );
  const hourMs = 3_600_000;
  const hourStart = Math.floor(Date.now() / hourMs) * hourMs;
  await db.raw(
    `INSERT INTO health_samples_hour
       (at_ms, check_id, latency_ms, status_code, outcome, error_class)
     SELECT ?::bigint + v.phase + k * ?::int, v.id, 1 + k % 5, 200, 0, NULL
       FROM unnest(?::int[], ?::int[]) AS v(id, phase),
            generate_series(0, ?::int) AS k
      ORDER BY 1`,
    [
      hourStart,
      INTERVAL_MS,
      `{${checks.map(c => c.id).join(',')}}`,
      `{${checks.map(c => c.phaseMs).join(',')}}`,
      Math.floor(hourMs / INTERVAL_MS) - 1,
    ],
  );
  const {
    rows: [row],
  } = await db.raw(
    `SELECT pg_total_relation_size('health_samples_hour') AS total,
            pg_relation_size('health_samples_hour') AS heap,
            pg_indexes_size('health_samples_hour') AS indexes,
            (SELECT count(*) FROM health_samples_hour) AS samples`,
  );
  await db.raw('DROP TABLE health_samples_hour');
  const samples = Number(row.samples);
  return {
    total: Number(row.total) / samples,
    heap: Number(row.heap) / samples,
    index: Number(row.indexes) / samples,
  };
}

/**
 * Bytes per sample, and what they come to per hour and day; judged against
 * the goal only for a table in its steady state (`judged`).
 */
function describeStorage(bytes: SampleBytes, judged: boolean): string {
  const perHour = (samplesPerDay: number) =>
    round((bytes.total * samplesPerDay) / 24 / 1e6);
  const perDay = (samplesPerDay: number) => (bytes.total * samplesPerDay) / 1e9;
  const goalPerDay = perDay(GOAL_SAMPLES_PER_DAY);
  const atThisLoad =
    SAMPLES_PER_DAY === GOAL_SAMPLES_PER_DAY
      ? ''
      : ` at this load (${round(
          SAMPLES_PER_DAY / 24,
          0,
        )} samples an hour) ${perHour(SAMPLES_PER_DAY)} MB per hour, ${round(
          perDay(SAMPLES_PER_DAY),
          2,
        )} GB per day;`;
  return `${round(bytes.total)} bytes per sample (heap ${round(
    bytes.heap,
  )}, index ${round(
    bytes.index,
  )});${atThisLoad} at 5,000 checks every 30 s (600,000 samples an hour) ${perHour(
    GOAL_SAMPLES_PER_DAY,
  )} MB per hour, ${round(goalPerDay, 2)} GB per day${
    judged
      ? ` (goal <= ${GOAL_GB_PER_DAY} GB: ${passOrFail(
          goalPerDay <= GOAL_GB_PER_DAY,
        )})`
      : ' (not judged: see "one hour of samples")'
  }`;
}

function printSummary(
  repeats: number,
  results: RepeatResult[],
  hour: SampleBytes,
) {
  const med = (pick: (r: RepeatResult) => number) => median(results.map(pick));
  const lagP99 = med(r => r.backendLagP99);
  const ratio = med(r => r.cpuRatio);
  console.log(
    `\nP4 health probes (${CHECKS} checks every ${
      INTERVAL_MS / 1000
    } s, ${SLICES} slices of ${
      SLICE_MS / 1000
    } s per repeat), medians of ${repeats}`,
  );
  console.log(
    `  backend: lag p50 ${ms(med(r => r.backendLagP50))}, p99 ${ms(
      lagP99,
    )} (goal < ${GOAL_LAG_P99_MS} ms: ${passOrFail(
      lagP99 < GOAL_LAG_P99_MS,
    )}), max ${ms(med(r => r.backendLagMax))}; CPU per probe ${cpuMs(
      med(r => r.backendCpu),
    )} (backend + PostgreSQL)`,
  );
  console.log(
    `  floor: lag p50 ${ms(med(r => r.floorLagP50))}, p99 ${ms(
      med(r => r.floorLagP99),
    )}, max ${ms(med(r => r.floorLagMax))}; CPU per probe ${cpuMs(
      med(r => r.floorCpu),
    )} (floor + PostgreSQL)`,
  );
  console.log(
    `  backend / floor CPU per probe: ${
      Number.isFinite(ratio) ? `${round(ratio, 2)}x` : 'n/a'
    } (goal <= ${GOAL_CPU_RATIO}x: ${passOrFail(ratio <= GOAL_CPU_RATIO)})`,
  );
  console.log(
    `  health_samples as the run wrote it: ${describeStorage(
      {
        total: med(r => r.bytesPerSample),
        heap: med(r => r.heapBytesPerSample),
        index: med(r => r.indexBytesPerSample),
      },
      false,
    )}`,
  );
  console.log(
    `  health_samples holding whole hours (one hour of samples in its layout): ${describeStorage(
      hour,
      true,
    )}`,
  );
}

/**
 * One P4 run at a time on a PostgreSQL server: a second one would drop the
 * first's databases and share its port. Held until the connection ends.
 */
async function lockOneRun(): Promise<Client> {
  const lock = new Client({ connectionString: `${PG_URL}/postgres` });
  await lock.connect();
  const { rows } = await lock.query(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
    [DATABASE_PREFIX],
  );
  if (!rows[0].locked) {
    await lock.end();
    throw new Error('another P4 run is going on: nothing was started');
  }
  return lock;
}

async function main() {
  const repeats = repeatsFromArgs(1);
  const lock = await lockOneRun();
  const started: StartedProcess[] = [];
  const results: RepeatResult[] = [];
  let hour: SampleBytes | undefined;
  let db: Knex | undefined;
  try {
    const ports = await startTargets(started);
    const backend = await startBackend({
      config: 'app-config.p4.yaml',
      databasePrefix: DATABASE_PREFIX,
      url: BACKEND,
    });
    started.push(backend);
    db = connect(OPSHUB_DATABASE, 2);
    const opshub = db;
    await waitUntil(() => opshub.schema.hasTable('health_checks'), 60_000, 250);
    const checks = await insertChecks(opshub, ports);
    await opshub.raw(
      'CREATE TABLE health_samples_floor (LIKE health_samples INCLUDING ALL)',
    );
    const { floor, floorExit } = await startFloor(started);
    const bench: Bench = { db: opshub, checks, backend, floor, floorExit };
    if (WARMUP_MS > 0) {
      // Unmeasured: the first probes of either side load and compile code.
      for (const slice of [
        await backendSlice(bench, WARMUP_MS),
        await floorSlice(bench, WARMUP_MS),
      ]) {
        console.log(
          `P4 warm-up ${slice.kind} (not counted): ${describeSlice(slice)}`,
        );
      }
    }
    for (let r = 1; r <= repeats; r++) {
      results.push(await runRepeat(bench, r));
    }
    hour = await oneHourOfSamples(opshub, checks);
    console.log(`P4 one hour of samples: ${describeStorage(hour, true)}`);
  } finally {
    await db?.destroy();
    for (const child of started.reverse()) await stopProcess(child.child);
    await dropDatabases();
    await lock.end();
  }
  printSummary(repeats, results, hour!);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
