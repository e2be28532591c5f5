/*
 * R4 misbehaving providers and GitHub: packages/backend on PostgreSQL (port
 * 7051, databases `opshub_bench_r4_*`) with the Vercel provider module and
 * GitHub write-back, both pointed at fakes on loopback behind proxies that
 * answer a mix (src/reliability/misbehaving/misbehavingWorld.ts): 429s with
 * `Retry-After` or `X-RateLimit-Reset`, 5xx, slow bodies that end in time,
 * bodies that never end and requests never answered. The bench's own queue
 * settings (bench/app-config.r4.yaml): call timeout 5 s, 3 attempts, a
 * backoff of at most 1 s. PRs opened on the row's Component (40, `--quick`
 * 10, `--r4-prs N`) go through create-preview, build checks and GitHub
 * write-back; the scenario ends when no job is left queued or running, or
 * at its 3-minute cap. Checks: every job ended (succeeded, or dead with an
 * error class; one a newer job with its key replaced counts as ended by
 * it), none left queued or running at the cap, every kind of misbehaviour
 * served, and a watchdog sampling the proxies' open requests every 250 ms:
 * none held open longer than the call timeout + 1 s before OpsHub aborted
 * it (a worker slot busy past the call timeout).
 */
import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, PG_URL, waitUntil } from '../../lib/postgres';
import {
  dropDatabases,
  startBackend,
  stopProcess,
  type StartedProcess,
} from '../../lib/processes';
import { deliverPullRequest, headShaOf } from '../../lib/pullRequestDeliveries';
import { numberFromArgs, round } from '../../lib/stats';
import { watchHeldRequests } from '../misbehaving/heldRequestsWatchdog';
import { MISBEHAVIOURS } from '../misbehaving/misbehavingProxy';
import {
  REPOSITORY,
  startMisbehavingWorld,
} from '../misbehaving/misbehavingWorld';
import { type Check, exactly, type Row } from '../row';

const URL = 'http://127.0.0.1:7051';
const DATABASE_PREFIX = 'opshub_bench_r4_';
/** bench/app-config.r4.yaml's `opshub.queue.callTimeout`. */
const CALL_TIMEOUT_MS = 5_000;
/** A request held longer than this was not aborted at the call timeout. */
const HELD_LIMIT_MS = CALL_TIMEOUT_MS + 1_000;
const SCENARIO_CAP_MS = 3 * 60_000;
/** A slow body that still ends in time. */
const SLOW_BODY_MS = 1_500;
const FIRST_PR = 100;

type StateCount = { state: string; error_class: string | null; n: number };

/** Rows of a table (jobs, previews) by state and error class. */
async function countByStateAndClass(
  knex: Knex,
  table: 'jobs' | 'previews',
): Promise<StateCount[]> {
  const rows = await knex(table)
    .select('state', 'error_class')
    .count({ n: '*' })
    .groupBy('state', 'error_class');
  return rows.map(row => ({ ...(row as StateCount), n: Number(row.n) }));
}

/** E.g. `dead/timeout 3`; a succeeded job keeps its last failure's class. */
const describe = (counts: StateCount[]) =>
  counts
    .map(({ state, error_class: errorClass, n }) => {
      if (!errorClass) return `${state} ${n}`;
      const joint = state === 'succeeded' ? ' after ' : '/';
      return `${state}${joint}${errorClass} ${n}`;
    })
    .join(', ');

async function run({
  quick,
  log,
  deadline,
}: {
  quick: boolean;
  log(line: string): void;
  deadline: number;
}): Promise<Check[]> {
  const prs = numberFromArgs('r4-prs', quick ? 10 : 40, {
    min: 1,
    integer: true,
  });
  const seed = numberFromArgs('r4-seed', Date.now() % 100_000, {
    min: 0,
    integer: true,
  });
  const dir = mkdtempSync(join(tmpdir(), 'opshub-r4-'));
  const world = await startMisbehavingWorld({
    dir,
    seed,
    slowBodyMs: SLOW_BODY_MS,
  });
  let backend: StartedProcess | undefined;
  const knex = connect(`${PG_URL}/${DATABASE_PREFIX}opshub`, 2);
  try {
    const started = Date.now();
    backend = await startBackend({
      config: 'app-config.r4.yaml',
      databasePrefix: DATABASE_PREFIX,
      url: URL,
      env: world.env,
    });
    log(`backend ready in ${round((Date.now() - started) / 1000)} s`);
    await waitUntil(
      async () => {
        const [{ n }] = await knex('projects')
          .whereNotNull('verified_by')
          .count({ n: '*' });
        return Number(n) >= 1;
      },
      60_000,
      250,
    );

    const scenarioStart = Date.now();
    const capAt = Math.min(scenarioStart + SCENARIO_CAP_MS, deadline - 20_000);
    const watchdog = watchHeldRequests(world.requests, HELD_LIMIT_MS);
    const runId = `r4-${Date.now()}`;
    log(`opening ${prs} PRs (seed ${seed})`);
    for (let i = 0; i < prs; i++) {
      const number = FIRST_PR + i;
      const { outcome } = await deliverPullRequest(URL, {
        action: 'opened',
        number,
        headSha: headShaOf(runId, number),
        repository: REPOSITORY,
        deliveryId: `${runId}-${number}`,
      });
      if (outcome !== 'enqueued') throw new Error(`PR ${number}: ${outcome}`);
    }

    const unfinished = async () => {
      const [{ n }] = await knex('jobs')
        .whereIn('state', ['queued', 'running'])
        .count({ n: '*' });
      return Number(n);
    };
    let quietPolls = 0;
    await waitUntil(
      async () => {
        quietPolls = (await unfinished()) === 0 ? quietPolls + 1 : 0;
        return quietPolls >= 3;
      },
      Math.max(1_000, capAt - Date.now()),
      500,
    ).catch(() => undefined);
    const left = await unfinished();
    const report = watchdog.stop();
    log(
      `scenario ended in ${round(
        (Date.now() - scenarioStart) / 1000,
      )} s, ${left} jobs left`,
    );

    const counts = await countByStateAndClass(knex, 'jobs');
    const total = counts.reduce((sum, c) => sum + c.n, 0);
    const ended = counts
      .filter(
        c =>
          c.state === 'succeeded' ||
          (c.state === 'dead' && c.error_class) ||
          (c.state === 'cancelled' && c.error_class === 'superseded'),
      )
      .reduce((sum, c) => sum + c.n, 0);
    log(`jobs by outcome: ${describe(counts)}`);
    log(`previews: ${describe(await countByStateAndClass(knex, 'previews'))}`);
    const requests = world.requests();
    const served = MISBEHAVIOURS.map(
      kind => [kind, requests.filter(r => r.kind === kind).length] as const,
    );
    log(
      `fake answers: ${served.map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
        `watchdog: ${report.samples} samples, at most ${report.mostOpen} open, ` +
        `longest held ${round(report.longestMs / 1000, 2)} s`,
    );
    for (const r of report.overLimit.slice(0, 5)) {
      log(`held past the limit: ${r.kind} ${r.method} ${r.path}`);
    }

    return [
      exactly('jobs ended succeeded or dead with a class', total, ended),
      exactly('jobs still queued or running at the cap', 0, left),
      exactly(
        'kinds of misbehaviour served',
        MISBEHAVIOURS.length,
        served.filter(([, n]) => n > 0).length,
      ),
      exactly(
        'worker slots busy past the call timeout',
        0,
        report.overLimit.length,
      ),
    ];
  } finally {
    if (backend) await stopProcess(backend.child);
    await knex.destroy();
    await world.close();
    await dropDatabases(DATABASE_PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
}

export const row: Row = {
  id: 'R4',
  title: 'misbehaving providers and GitHub',
  budgetMs: () => 240_000,
  run,
};
