import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import { valuesPlaceholders } from '../database/valuesPlaceholders';
import { nextStanding } from './healthStateMachine';
import {
  IdQueries,
  normalizeRef,
  parseCheckId,
  POSTGRES_MAX_VARIABLES,
  rounds,
  slices,
  SQLITE_MAX_VARIABLES,
  STANDING_COLUMNS,
  standingColumns,
  standingOf,
  type StandingRow,
  type ValidRecord,
  wholeMs,
} from './healthRows';
import type { AppliedProbe, ProbeRecord, ProbeToApply } from './HealthStore';
import { windowsOfChecks } from './maintenance/DatabaseMaintenanceWindows';
import {
  standingAfterMaintenance,
  standingInMaintenance,
} from './maintenance/maintenanceStanding';
import { openWindowAt } from './maintenance/maintenanceWindows';
import { errorClassToCode, outcomeToCode } from './sampleCodes';

/** A probe to write; `inMaintenance`: taken in one of its check's windows. */
type WriteRecord = ValidRecord & { inMaintenance?: boolean };

/** A probe's message as the check keeps it (bounded). */
const errorMessageOf = (result: { message: string | null }) =>
  result.message?.slice(0, 500) ?? null;

/**
 * The write path of probes: samples, standings and incidents in one
 * transaction per batch, and applying results through the state machine
 * on the checks' current standing (HealthStore's recordProbes and
 * applyProbes). A probe taken in a maintenance window of its check keeps
 * its sample (marked) but decides nothing: the check is in `maintenance`.
 */
export class ProbeWrites {
  private readonly isPostgres: boolean;
  private readonly ids: IdQueries;

  constructor(private readonly knex: Knex) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.ids = new IdQueries(this.isPostgres);
  }

  async recordProbes(records: ProbeRecord[]): Promise<void> {
    const valid: ValidRecord[] = [];
    for (const record of records) {
      const id = parseCheckId(record.checkId);
      if (id !== undefined) valid.push({ ...record, id });
    }
    if (valid.length === 0) return;
    await this.knex.transaction(trx => this.writeRecords(trx, valid));
  }

  async applyProbes(probes: ProbeToApply[]): Promise<AppliedProbe[]> {
    const ids = [
      ...new Set(
        probes
          .map(probe => parseCheckId(probe.checkId))
          .filter((id): id is number => id !== undefined),
      ),
    ];
    if (ids.length === 0) return probes.map(() => undefined);
    return this.knex.transaction(async trx => {
      if (this.isPostgres) {
        // Samples are not worth a WAL flush each: a crash loses at most the
        // last fraction of a second of them (the jobs stay at-least-once).
        await trx.raw('SET LOCAL synchronous_commit = off');
      }
      const current = new Map<number, StandingRow>();
      const rows = (await this.ids.byIds(ids, slice => {
        const query = this.ids.whereIdIn(
          trx<StandingRow>('health_checks').select(STANDING_COLUMNS),
          'id',
          slice,
        );
        return this.isPostgres ? query.forUpdate() : query;
      })) as StandingRow[];
      for (const row of rows) current.set(Number(row.id), row);
      const windows = await windowsOfChecks(
        trx,
        ids,
        Math.min(...probes.map(probe => probe.result.startedAt.getTime())),
      );

      const records: WriteRecord[] = [];
      const applied = probes.map((probe): AppliedProbe => {
        const id = parseCheckId(probe.checkId);
        const row = id === undefined ? undefined : current.get(id);
        if (
          id === undefined ||
          !row ||
          !row.enabled ||
          row.config_error !== null ||
          toDate(row.updated_at).getTime() !== probe.version
        ) {
          return undefined;
        }
        const before = standingOf(row);
        const inMaintenance =
          openWindowAt(
            windows.get(id) ?? [],
            probe.result.startedAt.getTime(),
          ) !== undefined;
        const { standing, incident } = inMaintenance
          ? standingInMaintenance(before)
          : nextStanding(standingAfterMaintenance(before), probe.result, {
              failureThreshold: Number(row.failure_threshold),
              recoveryThreshold: Number(row.recovery_threshold),
            });
        // A later probe of the same check in this batch starts from here.
        Object.assign(row, standingColumns(standing));
        records.push({
          id,
          checkId: probe.checkId,
          entityRef: row.entity_ref,
          result: probe.result,
          standing,
          incident,
          alertDue: standing.state !== before.state || incident !== null,
          inMaintenance,
        });
        return {
          entityRef: row.entity_ref,
          changed: standing.state !== before.state || incident !== null,
        };
      });
      if (records.length > 0) await this.writeRecords(trx, records);
      return applied;
    });
  }

  /** Samples, standings and incident changes of `valid`, in `trx`. */
  private async writeRecords(
    trx: Knex.Transaction,
    valid: WriteRecord[],
  ): Promise<void> {
    // The last probe of each check decides its standing; the first that
    // changed it makes its alerts due.
    const latest = [...new Map(valid.map(r => [r.id, r])).values()];
    const alertDue = new Map<number, number>();
    for (const record of valid) {
      if (record.alertDue && !alertDue.has(record.id)) {
        alertDue.set(record.id, record.result.startedAt.getTime());
      }
    }
    const existing = this.isPostgres
      ? await this.standingAndSamplesPostgres(trx, latest, valid, alertDue)
      : await this.standingAndSamplesSqlite(trx, latest, valid, alertDue);
    const kept = valid.filter(record => existing.has(record.id));
    for (const round of rounds(kept)) await this.applyIncidents(trx, round);
  }

  /**
   * One statement: the standing of every check (the rows it updates are the
   * checks that still exist, locked until commit) and the samples of those.
   */
  private async standingAndSamplesPostgres(
    trx: Knex.Transaction,
    latest: ValidRecord[],
    all: WriteRecord[],
    alertDue: Map<number, number>,
  ): Promise<Set<number>> {
    const result = await trx.raw(
      `WITH standing AS (
         UPDATE health_checks AS c
         SET state = v.state,
             consecutive_failures = v.failures,
             consecutive_bad = v.bad,
             consecutive_successes = v.successes,
             last_probe_at = v.probe_at,
             last_latency_ms = v.latency_ms,
             last_status_code = v.status_code,
             last_error_class = v.error_class,
             last_error_message = v.error_message,
             -- LEAST ignores nulls: the earlier due time stays
             alert_due_at_ms = LEAST(c.alert_due_at_ms, v.alert_due)
         FROM unnest(?::int[], ?::text[], ?::int[], ?::int[], ?::int[],
                     ?::timestamptz[], ?::int[], ?::int[], ?::text[],
                     ?::bigint[], ?::text[])
           AS v(id, state, failures, bad, successes, probe_at, latency_ms,
                status_code, error_class, alert_due, error_message)
         WHERE c.id = v.id
         RETURNING c.id),
       samples AS (
         INSERT INTO health_samples
           (at_ms, check_id, latency_ms, status_code, outcome, error_class,
            in_maintenance)
         SELECT s.at_ms, s.check_id, s.latency_ms, s.status_code, s.outcome,
                s.error_class, s.in_maintenance
         FROM unnest(?::bigint[], ?::int[], ?::int[], ?::smallint[],
                     ?::smallint[], ?::smallint[], ?::boolean[])
           AS s(at_ms, check_id, latency_ms, status_code, outcome, error_class,
                in_maintenance)
         WHERE s.check_id IN (SELECT id FROM standing))
       SELECT id FROM standing`,
      [
        latest.map(r => r.id),
        latest.map(r => r.standing.state),
        latest.map(r => r.standing.consecutiveFailures),
        latest.map(r => r.standing.consecutiveBad),
        latest.map(r => r.standing.consecutiveSuccesses),
        latest.map(r => r.result.startedAt),
        latest.map(r => wholeMs(r.result.latencyMs)),
        latest.map(r => r.result.statusCode),
        latest.map(r => r.result.errorClass),
        latest.map(r => alertDue.get(r.id) ?? null),
        latest.map(r => errorMessageOf(r.result)),
        all.map(r => r.result.startedAt.getTime()),
        all.map(r => r.id),
        all.map(r => wholeMs(r.result.latencyMs)),
        all.map(r => r.result.statusCode),
        all.map(r => outcomeToCode(r.result.outcome)),
        all.map(r => errorClassToCode(r.result.errorClass)),
        all.map(r => r.inMaintenance === true),
      ] as Knex.RawBinding[],
    );
    const rows = (result as { rows: { id: number }[] }).rows;
    return new Set(rows.map(row => Number(row.id)));
  }

  /** SQLite: one update per check, then the samples in multi-row inserts. */
  private async standingAndSamplesSqlite(
    trx: Knex.Transaction,
    latest: ValidRecord[],
    all: WriteRecord[],
    alertDue: Map<number, number>,
  ): Promise<Set<number>> {
    const existing = new Set<number>();
    for (const { id, standing, result } of latest) {
      const due = alertDue.get(id);
      const updated = await trx('health_checks')
        .where({ id })
        .update({
          ...(due === undefined
            ? {}
            : {
                alert_due_at_ms: trx.raw(
                  'MIN(COALESCE(alert_due_at_ms, ?), ?)',
                  [due, due],
                ),
              }),
          state: standing.state,
          consecutive_failures: standing.consecutiveFailures,
          consecutive_bad: standing.consecutiveBad,
          consecutive_successes: standing.consecutiveSuccesses,
          last_probe_at: result.startedAt,
          last_latency_ms: wholeMs(result.latencyMs),
          last_status_code: result.statusCode,
          last_error_class: result.errorClass,
          last_error_message: errorMessageOf(result),
        });
      if (updated > 0) existing.add(id);
    }
    await this.insertRows(
      trx,
      'health_samples (at_ms, check_id, latency_ms, status_code, outcome, error_class, in_maintenance)',
      all
        .filter(r => existing.has(r.id))
        .map(({ id, result, inMaintenance }) => [
          result.startedAt.getTime(),
          id,
          wholeMs(result.latencyMs),
          result.statusCode,
          outcomeToCode(result.outcome),
          errorClassToCode(result.errorClass),
          inMaintenance === true ? 1 : 0,
        ]),
    );
    return existing;
  }

  /** The incident changes of a round (one record per check at most). */
  private async applyIncidents(trx: Knex.Transaction, round: ValidRecord[]) {
    const opens: unknown[][] = [];
    const worsens: number[] = [];
    const closes: { id: number; at: Date }[] = [];
    for (const { id, entityRef, incident, result } of round) {
      if (incident?.action === 'open') {
        opens.push([
          id,
          normalizeRef(entityRef),
          incident.state,
          incident.errorClass,
          result.startedAt,
        ]);
      } else if (incident?.action === 'worsen') {
        worsens.push(id);
      } else if (incident?.action === 'close') {
        closes.push({ id, at: result.startedAt });
      }
    }
    // Closes first: a check's incident closed in this round is not the one
    // another record of it opens in a later round.
    if (closes.length > 0 && this.isPostgres) {
      await trx.raw(
        `UPDATE health_incidents AS i SET closed_at = v.closed_at
         FROM unnest(?::int[], ?::timestamptz[]) AS v(check_id, closed_at)
         WHERE i.check_id = v.check_id AND i.closed_at IS NULL`,
        [closes.map(c => c.id), closes.map(c => c.at)],
      );
    } else {
      for (const { id, at } of closes) {
        await trx('health_incidents')
          .where({ check_id: id })
          .whereNull('closed_at')
          .update({ closed_at: at });
      }
    }
    await this.ids.byIds(worsens, ids =>
      this.ids
        .whereIdIn(trx('health_incidents'), 'check_id', ids)
        .whereNull('closed_at')
        .update({ state: 'down' }),
    );
    // An incident already open stays (one open per check, by index): a
    // repeated open must not fail the whole batch of samples.
    await this.insertRows(
      trx,
      'health_incidents (check_id, entity_ref, state, error_class, opened_at)',
      opens,
      'ON CONFLICT (check_id) WHERE closed_at IS NULL DO NOTHING',
    );
  }

  /** Multi-row inserts of `rows`, as few as the variable limit allows. */
  private async insertRows(
    trx: Knex.Transaction,
    into: string,
    rows: unknown[][],
    suffix = '',
  ) {
    if (rows.length === 0) return;
    const width = rows[0].length;
    const limit = this.isPostgres
      ? POSTGRES_MAX_VARIABLES
      : SQLITE_MAX_VARIABLES;
    const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    for (const slice of slices(rows, Math.floor(limit / width))) {
      await trx.raw(
        `INSERT INTO ${into} VALUES ${valuesPlaceholders(
          slice.length,
          row,
        )} ${suffix}`,
        slice.flat() as Knex.RawBinding[],
      );
    }
  }
}
