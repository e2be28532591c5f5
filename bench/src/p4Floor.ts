/*
 * P4's floor: the least a health prober can do for the same work, in a
 * process of its own. It reads the bench's checks from `health_checks`, and
 * for each slice it is sent (`{ p4: 'slice', startMs, endMs }` over IPC) probes every
 * check at each point of the check's grid in [startMs, endMs) (the backend's
 * own `nextProbeAtMs`, so the same due times as the backend's), with
 * `fetch` and an `Agent` of the `undici` the backend uses (a fresh
 * connection per probe, as its prober opens), reading the whole answer. Every
 * probe becomes the row the backend would write, in a table of the same
 * shape (`health_samples_floor`: `LIKE health_samples INCLUDING ALL`), one
 * multi-row INSERT per second. No address checks, no exclusion groups, no
 * job queue, no check state: what is left is the probe and the sample.
 * Replies `{ p4: 'done', probes, failures }` once the slice's probes are all written.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs src/p4Floor.ts
 *     --database <postgresql url> --created-by <who made the checks>
 */
import { nextProbeAtMs } from '@opshub/plugin-opshub-backend/src/health/probeSchedule';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { Agent, fetch } from 'undici';

const FLUSH_EVERY_MS = 1_000;
/** 6 parameters a row; PostgreSQL takes at most 65,535 per statement. */
const ROWS_PER_INSERT = 5_000;
/** Indexes into HEALTH_ERROR_CLASSES and PROBE_OUTCOMES of opshub-common. */
const TIMEOUT = 0;
const CONNECT = 2;
const STATUS = 4;
const SUCCESS = 0;
const FAILURE = 2;

interface Check {
  id: number;
  url: string;
  method: string;
  timeoutMs: number;
  intervalMs: number;
}

type Row = [number, number, number, number | null, number, number | null];

function arg(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0 || !process.argv[index + 1]) {
    throw new Error(`--${name} is required`);
  }
  return process.argv[index + 1];
}

const pool = new Pool({ connectionString: arg('database'), max: 2 });
// The backend prober's Agent options but its connector (which checks each
// address with the network policy): no connection kept between probes,
// every probe connects afresh (pipelining 0 turns keep-alive off).
const agent = new Agent({ pipelining: 0 });
let pending: Row[] = [];
const writes = new Set<Promise<void>>();

async function insert(rows: Row[]): Promise<void> {
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    const values = chunk
      .map(
        (_, i) =>
          `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${
            i * 6 + 5
          }, $${i * 6 + 6})`,
      )
      .join(', ');
    await pool.query(
      `INSERT INTO health_samples_floor (at_ms, check_id, latency_ms, status_code, outcome, error_class) VALUES ${values}`,
      chunk.flat(),
    );
  }
}

/** Writes what the probes have gathered since the last flush. */
function flush(): Promise<void> {
  if (pending.length === 0) return Promise.resolve();
  const rows = pending;
  pending = [];
  const write = insert(rows).finally(() => writes.delete(write));
  writes.add(write);
  return write;
}

async function probe(check: Check): Promise<boolean> {
  const atMs = Date.now();
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), check.timeoutMs);
  let statusCode: number | null = null;
  let errorClass: number | null = null;
  try {
    // The request the backend's prober sends (ssrfSafeProber.ts).
    const response = await fetch(check.url, {
      method: check.method,
      redirect: 'manual',
      signal: deadline.signal,
      dispatcher: agent,
      headers: { 'user-agent': 'OpsHub-Health', 'accept-encoding': 'identity' },
    });
    statusCode = response.status;
    await response.arrayBuffer();
    if (statusCode < 200 || statusCode > 299) errorClass = STATUS;
  } catch {
    errorClass = deadline.signal.aborted ? TIMEOUT : CONNECT;
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = Math.round(performance.now() - started);
  pending.push([
    atMs,
    check.id,
    latencyMs,
    statusCode,
    errorClass === null ? SUCCESS : FAILURE,
    errorClass,
  ]);
  return errorClass === null;
}

/** Every check's grid points in [startMs, endMs), earliest first. */
function plan(checks: Check[], startMs: number, endMs: number) {
  const due: Array<{ atMs: number; check: Check }> = [];
  for (const check of checks) {
    let atMs = nextProbeAtMs(String(check.id), check.intervalMs, startMs - 1);
    for (; atMs < endMs; atMs += check.intervalMs) due.push({ atMs, check });
  }
  return due.sort((a, b) => a.atMs - b.atMs);
}

async function runSlice(checks: Check[], startMs: number, endMs: number) {
  const due = plan(checks, startMs, endMs);
  const probes: Array<Promise<boolean>> = [];
  const flusher = setInterval(flush, FLUSH_EVERY_MS);
  let next = 0;
  while (next < due.length) {
    const wait = due[next].atMs - Date.now();
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
    const now = Date.now();
    for (; next < due.length && due[next].atMs <= now; next++) {
      probes.push(probe(due[next].check));
    }
  }
  const outcomes = await Promise.all(probes);
  clearInterval(flusher);
  await flush();
  await Promise.all(writes);
  return {
    probes: outcomes.length,
    failures: outcomes.filter(ok => !ok).length,
  };
}

async function main() {
  const { rows } = await pool.query(
    `SELECT id, url, method, timeout_ms, interval_ms FROM health_checks WHERE created_by = $1 ORDER BY id`,
    [arg('created-by')],
  );
  const checks: Check[] = rows.map(row => ({
    id: Number(row.id),
    url: row.url,
    method: row.method,
    timeoutMs: Number(row.timeout_ms),
    intervalMs: Number(row.interval_ms),
  }));
  process.on('message', (message: any) => {
    if (message?.p4 !== 'slice') return;
    runSlice(checks, message.startMs, message.endMs).then(
      result => process.send!({ p4: 'done', ...result }),
      error => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.send!({ p4: 'ready', checks: checks.length });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
