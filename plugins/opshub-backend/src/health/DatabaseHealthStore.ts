import type {
  OpsHubHealthIncident,
  OpsHubHealthSample,
  OpsHubHealthUptime,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import {
  type CheckRow,
  DAY_MS,
  definitionColumns,
  hourOf,
  IdQueries,
  type IncidentRow,
  isUniqueViolation,
  nameTaken,
  normalizeRef,
  NO_UPTIME,
  parseCheckId,
  parseCheckIds,
  ratio,
  SAMPLE_HOUR_AT_LEAST,
  type SampleRow,
  toCheck,
  toIncident,
  toSample,
  type UptimeRow,
} from './healthRows';
import type {
  AppliedProbe,
  HealthCheckChanges,
  HealthStore,
  NewHealthCheck,
  ProbeRecord,
  ProbeToApply,
  StoredHealthCheck,
} from './HealthStore';
import { HEALTH_PROBE_JOB } from './probeJobs';
import { probeGroup } from './probeSchedule';
import { ProbeWrites } from './probeWrites';
import { toDate } from '../database/timestamps';
import { FAILURE_CODE } from './sampleCodes';

/**
 * Deletes the check's probe jobs still waiting in the queue (a running one
 * finishes; its result is dropped as stale); returns the first one's due
 * time. The jobs table is the queue's, but these rows are the check's own
 * schedule: nothing else enqueues into a check's exclusion group.
 */
async function dropQueuedProbes(
  trx: Knex.Transaction,
  id: number,
): Promise<number | undefined> {
  const waiting = trx('jobs').where({
    type: HEALTH_PROBE_JOB,
    exclusion_group: probeGroup(String(id)),
    state: 'queued',
  });
  const first = await waiting.clone().min({ runAt: 'run_at' }).first();
  if (!first?.runAt) return undefined;
  await waiting.clone().delete();
  return toDate(first.runAt).getTime();
}

/** The health_checks, health_samples and health_incidents tables. */
export class DatabaseHealthStore implements HealthStore {
  private readonly isPostgres: boolean;
  private readonly ids: IdQueries;
  private readonly writes: ProbeWrites;

  constructor(private readonly knex: Knex) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.ids = new IdQueries(this.isPostgres);
    this.writes = new ProbeWrites(knex);
  }

  async listChecks(entityRef: string): Promise<StoredHealthCheck[]> {
    const rows: CheckRow[] = await this.knex<CheckRow>('health_checks')
      .where({ entity_ref: normalizeRef(entityRef) })
      .orderBy('name');
    return rows.map(toCheck);
  }

  async getCheck(entityRef: string, checkId: string) {
    const id = parseCheckId(checkId);
    if (id === undefined) return undefined;
    const row: CheckRow | undefined = await this.knex<CheckRow>('health_checks')
      .where({ id, entity_ref: normalizeRef(entityRef) })
      .first();
    return row && toCheck(row);
  }

  async listAnnotationChecks(): Promise<StoredHealthCheck[]> {
    const rows: CheckRow[] = await this.knex<CheckRow>('health_checks')
      .where({ source: 'annotation' })
      .orderBy(['entity_ref', 'id']);
    return rows.map(toCheck);
  }

  async createCheck(check: NewHealthCheck): Promise<StoredHealthCheck> {
    const now = new Date();
    try {
      const [row] = await this.knex('health_checks')
        .insert({
          entity_ref: normalizeRef(check.entityRef),
          source: check.source,
          preview_id: check.previewId ?? null,
          created_by: check.createdBy,
          ...definitionColumns(check),
          config_error: check.configError,
          next_probe_at_ms: check.nextProbeAtMs,
          created_at: now,
          updated_at: now,
        })
        .returning('*');
      return toCheck(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(check.name);
      throw error;
    }
  }

  async updateCheck(
    entityRef: string,
    checkId: string,
    changes: HealthCheckChanges,
  ): Promise<StoredHealthCheck | undefined> {
    const id = parseCheckId(checkId);
    if (id === undefined) return undefined;
    try {
      return await this.knex.transaction(async trx => {
        const [row] = await trx('health_checks')
          .where({ id, entity_ref: normalizeRef(entityRef) })
          .update({ ...definitionColumns(changes), updated_at: new Date() })
          .returning('*');
        if (!row) return undefined;
        // Probes enqueued before carry the old definition (and version):
        // they go, and the schedule resumes from the first of them.
        const firstDue = await dropQueuedProbes(trx, id);
        if (
          changes.nextProbeAtMs === undefined &&
          firstDue !== undefined &&
          (row.next_probe_at_ms === null ||
            firstDue < Number(row.next_probe_at_ms))
        ) {
          const [resumed] = await trx('health_checks')
            .where({ id })
            .update({ next_probe_at_ms: firstDue })
            .returning('*');
          return toCheck(resumed);
        }
        return toCheck(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(changes.name);
      throw error;
    }
  }

  async deleteCheck(entityRef: string, checkId: string): Promise<boolean> {
    const id = parseCheckId(checkId);
    if (id === undefined) return false;
    return this.knex.transaction(async trx => {
      // The check first: its row lock makes a concurrent recordProbes either
      // wait (and skip the check) or commit first (its samples go below).
      const deleted = await trx('health_checks')
        .where({ id, entity_ref: normalizeRef(entityRef) })
        .delete();
      if (deleted === 0) return false;
      // Incidents cascade on PostgreSQL; SQLite may run without foreign keys.
      await trx('health_incidents').where({ check_id: id }).delete();
      await trx('health_samples').where({ check_id: id }).delete();
      await dropQueuedProbes(trx, id);
      return true;
    });
  }

  recordProbes(records: ProbeRecord[]): Promise<void> {
    return this.writes.recordProbes(records);
  }

  applyProbes(probes: ProbeToApply[]): Promise<AppliedProbe[]> {
    return this.writes.applyProbes(probes);
  }

  async listSamples(
    checkId: string,
    options: { sinceMs: number; limit: number },
  ): Promise<OpsHubHealthSample[]> {
    const id = parseCheckId(checkId);
    if (id === undefined) return [];
    const rows: SampleRow[] = await this.knex('health_samples')
      .select('at_ms', 'latency_ms', 'status_code', 'outcome', 'error_class')
      .where({ check_id: id })
      .whereRaw(SAMPLE_HOUR_AT_LEAST, [hourOf(options.sinceMs)])
      .where('at_ms', '>=', options.sinceMs)
      .orderBy('at_ms', 'desc')
      .limit(options.limit);
    return rows.map(toSample);
  }

  async listIncidents(
    checkId: string,
    options: { limit: number },
  ): Promise<OpsHubHealthIncident[]> {
    const id = parseCheckId(checkId);
    if (id === undefined) return [];
    const rows: IncidentRow[] = await this.knex('health_incidents')
      .where({ check_id: id })
      .orderBy([
        { column: 'opened_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit);
    return rows.map(toIncident);
  }

  async openIncidents(
    checkIds: string[],
  ): Promise<Map<string, OpsHubHealthIncident>> {
    const rows = (await this.ids.byIds(parseCheckIds(checkIds), ids =>
      this.ids
        .whereIdIn(this.knex('health_incidents'), 'check_id', ids)
        .whereNull('closed_at'),
    )) as IncidentRow[];
    return new Map(rows.map(row => [String(row.check_id), toIncident(row)]));
  }

  /**
   * Probes at `[nowMs - window, nowMs]` for windows of 1, 7 and 30 days, in
   * one aggregate over the 30 days' range of the hour index.
   */
  async uptime(
    checkIds: string[],
    nowMs: number,
  ): Promise<Map<string, OpsHubHealthUptime>> {
    const ids = parseCheckIds(checkIds);
    const dayStart = nowMs - DAY_MS;
    const weekStart = nowMs - 7 * DAY_MS;
    const monthStart = nowMs - 30 * DAY_MS;
    const up = `outcome <> ${FAILURE_CODE}`;
    const rows = (await this.ids.byIds(ids, slice =>
      this.ids
        .whereIdIn(this.knex('health_samples'), 'check_id', slice)
        .select(
          'check_id',
          this.knex.raw(
            'SUM(CASE WHEN at_ms >= ? THEN 1 ELSE 0 END) AS day_probes',
            [dayStart],
          ),
          this.knex.raw(
            `SUM(CASE WHEN at_ms >= ? AND ${up} THEN 1 ELSE 0 END) AS day_up`,
            [dayStart],
          ),
          this.knex.raw(
            'SUM(CASE WHEN at_ms >= ? THEN 1 ELSE 0 END) AS week_probes',
            [weekStart],
          ),
          this.knex.raw(
            `SUM(CASE WHEN at_ms >= ? AND ${up} THEN 1 ELSE 0 END) AS week_up`,
            [weekStart],
          ),
          this.knex.raw('COUNT(*) AS month_probes'),
          this.knex.raw(`SUM(CASE WHEN ${up} THEN 1 ELSE 0 END) AS month_up`),
        )
        .whereRaw(SAMPLE_HOUR_AT_LEAST, [hourOf(monthStart)])
        .where('at_ms', '>=', monthStart)
        .where('at_ms', '<=', nowMs)
        .groupBy('check_id'),
    )) as UptimeRow[];
    const uptime = new Map<string, OpsHubHealthUptime>(
      ids.map(id => [String(id), NO_UPTIME]),
    );
    for (const row of rows) {
      uptime.set(String(row.check_id), {
        day: ratio(row.day_up, row.day_probes),
        week: ratio(row.week_up, row.week_probes),
        month: ratio(row.month_up, row.month_probes),
      });
    }
    return uptime;
  }
}
