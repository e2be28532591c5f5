import type { Knex } from 'knex';
import type { EnqueueRequest, JobEnqueuer } from '../queue/types';
import { type CheckRow, toCheck } from './healthRows';
import { nextProbeAtMs, probeGroup } from './probeSchedule';
import { HEALTH_PROBE_JOB, type ProbeJobPayload } from './probeJobs';
import type { ProbeRequest } from './probe/types';

/** Checks read per transaction; a tick takes as many batches as are due. */
const BATCH = 2_000;

/**
 * Enqueues every probe due before `horizonMs` as a job with its exact due
 * time, and moves each check on to its next due time in the same
 * transaction (on PostgreSQL the rows are locked, `SKIP LOCKED`, so any
 * number of instances may run this at once without enqueueing a probe
 * twice). A check overdue by more than its interval (nothing probed it
 * for a while) gets one probe now, not the backlog. Returns how many
 * probes it enqueued.
 */
export async function scheduleDueProbes(deps: {
  knex: Knex;
  queue: JobEnqueuer;
  horizonMs: number;
  now?: () => number;
}): Promise<number> {
  const { knex, queue, horizonMs } = deps;
  const now = deps.now ?? Date.now;
  const isPostgres = knex.client.config.client === 'pg';
  let enqueued = 0;
  for (;;) {
    const batch = await knex.transaction(async trx => {
      let query = trx<CheckRow>('health_checks')
        .select()
        .where('enabled', true)
        .whereNull('config_error')
        .where('next_probe_at_ms', '<', horizonMs)
        .orderBy('next_probe_at_ms')
        .limit(BATCH);
      if (isPostgres) query = query.forUpdate().skipLocked();
      const due = await query;
      if (due.length === 0) return { checks: 0, jobs: 0 };

      const jobs: EnqueueRequest[] = [];
      const next = new Map<string, number>();
      const nowMs = now();
      for (const check of due.map(toCheck)) {
        const { id, intervalMs: interval } = check;
        let at = check.nextProbeAtMs!;
        if (at < nowMs - interval) at = nowMs;
        const group = probeGroup(id);
        const version = check.updatedAt.getTime();
        const probe: ProbeRequest = {
          url: check.url,
          method: check.method,
          timeoutMs: check.timeoutMs,
          expectedStatus: check.expectedStatus,
          bodyContains: check.bodyContains,
          jsonPath: check.jsonPath,
          degradedLatencyMs: check.degradedLatencyMs,
          // The templates: `${env:NAME}` is resolved when the job runs.
          headers: check.headers,
          certExpiryDays: check.certExpiryDays,
        };
        while (at < horizonMs) {
          const payload: ProbeJobPayload = {
            checkId: id,
            entityRef: check.entityRef,
            dueAtMs: at,
            version,
            probe,
          };
          jobs.push({
            type: HEALTH_PROBE_JOB,
            payload,
            group,
            runAt: new Date(at),
            maxAttempts: 1,
          });
          at = nextProbeAtMs(id, interval, at);
        }
        next.set(id, at);
      }
      await queue.enqueueMany(trx, jobs);
      await setNextProbeTimes(trx, next, isPostgres);
      return { checks: due.length, jobs: jobs.length };
    });
    enqueued += batch.jobs;
    if (batch.checks < BATCH) return enqueued;
  }
}

async function setNextProbeTimes(
  trx: Knex.Transaction,
  next: Map<string, number>,
  isPostgres: boolean,
): Promise<void> {
  if (isPostgres) {
    await trx.raw(
      `UPDATE health_checks SET next_probe_at_ms = v.next
       FROM unnest(?::int[], ?::bigint[]) AS v(id, next)
       WHERE health_checks.id = v.id`,
      [[...next.keys()].map(Number), [...next.values()]],
    );
    return;
  }
  for (const [id, at] of next) {
    await trx('health_checks')
      .where('id', Number(id))
      .update({ next_probe_at_ms: at });
  }
}

/**
 * Deletes succeeded probe jobs finished before `beforeMs`, at most `limit`
 * of them: at 5,000 checks a minute they would otherwise be the bulk of
 * the jobs table. Failed ones stay for the queue's own retention.
 */
export async function deleteFinishedProbeJobs(
  knex: Knex,
  beforeMs: number,
  limit = 20_000,
): Promise<number> {
  return knex('jobs')
    .whereIn(
      'id',
      knex('jobs')
        .select('id')
        .where({ type: HEALTH_PROBE_JOB, state: 'succeeded' })
        .where('finished_at', '<', new Date(beforeMs))
        .limit(limit),
    )
    .delete();
}
