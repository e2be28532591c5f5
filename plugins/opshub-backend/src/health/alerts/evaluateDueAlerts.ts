import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import type { EnqueueRequest, JobEnqueuer } from '../../queue/types';
import { type CheckRow, IdQueries, toCheck } from '../healthRows';
import type { AlertBookkeeping, StoredHealthCheck } from '../HealthStore';
import { decideAlert } from './decideAlert';
import {
  HEALTH_ALERT_JOB,
  type HealthAlertPayload,
  healthAlertGroup,
  healthAlertKey,
} from './healthAlertJobs';

/** Checks decided per transaction; a run takes as many batches as are due. */
const BATCH = 200;

/** Which of `checkIds` are in one of their maintenance windows at `atMs`. */
export type InMaintenance = (
  checkIds: string[],
  atMs: number,
) => Promise<Set<string>>;

type LatestIncident = {
  id: number | string;
  check_id: number | string;
  opened_at: Date | string | number;
};

/**
 * Decides the alerts of every check whose alerts are due (a probe changed
 * its state or incident, or a deferred alert or a reminder is due) and
 * enqueues one health-alert job per send, in the transaction that writes
 * the checks' new bookkeeping: a decision and its message commit together.
 * On PostgreSQL the checks are locked (`SKIP LOCKED`): instances running
 * this at once never decide one check twice. Maintenance windows are read
 * first, for the checks about to be decided. Returns the jobs enqueued.
 */
export async function evaluateDueAlerts(deps: {
  knex: Knex;
  queue: JobEnqueuer;
  inMaintenance: InMaintenance;
  /** `opshub.health.previews.alert`: preview checks alert too. */
  previewAlerts: boolean;
  nowMs: number;
  batchSize?: number;
}): Promise<number> {
  const { knex, nowMs } = deps;
  const batchSize = deps.batchSize ?? BATCH;
  const isPostgres = knex.client.config.client === 'pg';
  const ids = new IdQueries(isPostgres);
  let enqueued = 0;
  for (;;) {
    const dueIds: number[] = (
      await knex('health_checks')
        .select('id')
        .where('alert_due_at_ms', '<=', nowMs)
        .orderBy([{ column: 'alert_due_at_ms' }, { column: 'id' }])
        .limit(batchSize)
    ).map((row: { id: number | string }) => Number(row.id));
    if (dueIds.length === 0) return enqueued;
    const maintenance = await deps.inMaintenance(dueIds.map(String), nowMs);

    const batch = await knex.transaction(async trx => {
      let query = ids
        .whereIdIn(trx<CheckRow>('health_checks').select(), 'id', dueIds)
        .where('alert_due_at_ms', '<=', nowMs);
      if (isPostgres) query = query.forUpdate().skipLocked();
      const checks = (await query).map(toCheck);
      if (checks.length === 0) return { checks: 0, jobs: 0 };
      const incidents = await latestIncidents(trx, ids, checks);

      const jobs: EnqueueRequest[] = [];
      const bookkeeping = new Map<number, AlertBookkeeping>();
      for (const check of checks) {
        const decision = decideAlert({
          state: check.state,
          alertCooldownMs: check.alertCooldownMs,
          reminderIntervalMs: check.reminderIntervalMs,
          bookkeeping: check,
          inMaintenance: maintenance.has(check.id),
          alertsEnabled:
            check.enabled &&
            check.configError === null &&
            (check.source !== 'preview' || deps.previewAlerts),
          nowMs,
        });
        bookkeeping.set(Number(check.id), decision.bookkeeping);
        if (!decision.send) continue;
        const incident = incidents.get(check.id);
        const payload: HealthAlertPayload = {
          kind: decision.send.kind,
          checkId: check.id,
          checkName: check.name,
          entityRef: check.entityRef,
          url: check.url,
          state: decision.send.state,
          incidentId: incident ? String(incident.id) : null,
          since: incident ? toDate(incident.opened_at).toISOString() : null,
          errorClass: check.lastErrorClass,
          statusCode: check.lastStatusCode,
          errorMessage: check.lastErrorMessage,
          atMs: nowMs,
        };
        jobs.push({
          type: HEALTH_ALERT_JOB,
          key: healthAlertKey(payload),
          group: healthAlertGroup(check.id),
          payload,
        });
      }
      await writeBookkeeping(trx, bookkeeping, isPostgres);
      for (const job of jobs) await deps.queue.enqueue(trx, job);
      return { checks: checks.length, jobs: jobs.length };
    });
    enqueued += batch.jobs;
    // A short batch was the last; a batch locked elsewhere is theirs.
    if (dueIds.length < batchSize || batch.checks === 0) return enqueued;
  }
}

/**
 * Each check's newest incident: the open one of a bad check, the one just
 * closed of a recovered check (its recovery tells of that incident).
 */
async function latestIncidents(
  trx: Knex.Transaction,
  ids: IdQueries,
  checks: StoredHealthCheck[],
): Promise<Map<string, LatestIncident>> {
  const rows: LatestIncident[] = await trx('health_incidents')
    .select('id', 'check_id', 'opened_at')
    .whereIn(
      'id',
      ids
        .whereIdIn(
          trx('health_incidents').max('id'),
          'check_id',
          checks.map(check => Number(check.id)),
        )
        .groupBy('check_id'),
    );
  return new Map(rows.map(row => [String(row.check_id), row]));
}

async function writeBookkeeping(
  trx: Knex.Transaction,
  bookkeeping: Map<number, AlertBookkeeping>,
  isPostgres: boolean,
): Promise<void> {
  const entries = [...bookkeeping];
  if (isPostgres) {
    await trx.raw(
      `UPDATE health_checks AS c
       SET alerted_state = v.alerted_state,
           last_alert_at_ms = v.last_alert,
           last_notice_at_ms = v.last_notice,
           alert_due_at_ms = v.due
       FROM unnest(?::int[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[])
         AS v(id, alerted_state, last_alert, last_notice, due)
       WHERE c.id = v.id`,
      [
        entries.map(([id]) => id),
        entries.map(([, b]) => b.alertedState),
        entries.map(([, b]) => b.lastAlertAtMs),
        entries.map(([, b]) => b.lastNoticeAtMs),
        entries.map(([, b]) => b.alertDueAtMs),
      ] as Knex.RawBinding[],
    );
    return;
  }
  for (const [id, b] of entries) {
    await trx('health_checks').where({ id }).update({
      alerted_state: b.alertedState,
      last_alert_at_ms: b.lastAlertAtMs,
      last_notice_at_ms: b.lastNoticeAtMs,
      alert_due_at_ms: b.alertDueAtMs,
    });
  }
}
