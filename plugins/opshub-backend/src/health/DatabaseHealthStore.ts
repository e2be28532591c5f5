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
  HOUR_MS,
  hourOf,
  IdQueries,
  type IncidentRow,
  isUniqueViolation,
  nameTaken,
  normalizeRef,
  parseCheckId,
  parseCheckIds,
  ratio,
  SAMPLE_HOUR_AT_LEAST,
  type SampleRow,
  toCheck,
  toIncident,
  toSample,
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
import { HealthRollupReads } from './rollups/HealthRollupReads';

type RawUpCounts = {
  check_id: number | string;
  day_probes: number | string | null;
  day_up: number | string | null;
  probes: number | string;
  up: number | string | null;
};

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
  private readonly rollups: HealthRollupReads;

  constructor(private readonly knex: Knex) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.ids = new IdQueries(this.isPostgres);
    this.writes = new ProbeWrites(knex);
    this.rollups = new HealthRollupReads(knex);
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
      await trx('health_rollups').where({ check_id: id }).delete();
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
   * Probes at `[nowMs - window, nowMs]` for windows of 1, 7 and 30 days.
   * The day reads raw samples; the week and month read raw samples from
   * the hour a day ago started, and the hourly rollups of the whole hours
   * before it that lie in the window. Samples taken in a maintenance
   * window count nowhere.
   */
  async uptime(
    checkIds: string[],
    nowMs: number,
  ): Promise<Map<string, OpsHubHealthUptime>> {
    const ids = parseCheckIds(checkIds);
    const dayStart = nowMs - DAY_MS;
    const rawFromHour = hourOf(dayStart);
    const [raw, rolled] = await Promise.all([
      this.rawUpCounts(ids, dayStart, rawFromHour, nowMs),
      this.rollups.upCounts(ids, {
        weekFromHour: Math.ceil((nowMs - 7 * DAY_MS) / HOUR_MS),
        monthFromHour: Math.ceil((nowMs - 30 * DAY_MS) / HOUR_MS),
        beforeHour: rawFromHour,
      }),
    ]);
    const rawOf = new Map(raw.map(row => [Number(row.check_id), row]));
    const rolledOf = new Map(rolled.map(row => [Number(row.check_id), row]));
    /** Counts of raw samples plus counts of rollups; absent counts are 0. */
    const sum = (...counts: (number | string | null | undefined)[]) =>
      counts.reduce<number>((total, count) => total + Number(count ?? 0), 0);
    return new Map(
      ids.map(id => {
        const r = rawOf.get(id);
        const h = rolledOf.get(id);
        const uptime: OpsHubHealthUptime = {
          day: ratio(sum(r?.day_up), sum(r?.day_probes)),
          week: ratio(sum(r?.up, h?.week_up), sum(r?.probes, h?.week_probes)),
          month: ratio(
            sum(r?.up, h?.month_up),
            sum(r?.probes, h?.month_probes),
          ),
        };
        return [String(id), uptime];
      }),
    );
  }

  /**
   * Raw samples from `fromHour` to `nowMs`, per check: all of them and
   * those that did not fail, and the same from `dayStart` on.
   */
  private async rawUpCounts(
    ids: number[],
    dayStart: number,
    fromHour: number,
    nowMs: number,
  ): Promise<RawUpCounts[]> {
    const up = `outcome <> ${FAILURE_CODE}`;
    return (await this.ids.byIds(ids, slice =>
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
          this.knex.raw('COUNT(*) AS probes'),
          this.knex.raw(`SUM(CASE WHEN ${up} THEN 1 ELSE 0 END) AS up`),
        )
        .whereRaw(SAMPLE_HOUR_AT_LEAST, [fromHour])
        .where('at_ms', '<=', nowMs)
        .where('in_maintenance', false)
        .groupBy('check_id'),
    )) as RawUpCounts[];
  }
}
