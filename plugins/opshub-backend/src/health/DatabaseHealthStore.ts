import { ConflictError } from '@backstage/errors';
import type {
  OpsHubHealthErrorClass,
  OpsHubHealthIncident,
  OpsHubHealthSample,
  OpsHubHealthState,
  OpsHubHealthUptime,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import { valuesPlaceholders } from '../database/valuesPlaceholders';
import { nextStanding } from './healthStateMachine';
import type {
  AppliedProbe,
  HealthCheckChanges,
  HealthStanding,
  HealthStore,
  NewHealthCheck,
  ProbeRecord,
  ProbeToApply,
  StoredHealthCheck,
} from './HealthStore';
import {
  FAILURE_CODE,
  errorClassFromCode,
  errorClassToCode,
  outcomeFromCode,
  outcomeToCode,
} from './sampleCodes';

type Timestamp = Date | string | number;
export type CheckRow = {
  id: number | string;
  entity_ref: string;
  name: string;
  source: 'api' | 'annotation';
  url: string;
  method: 'GET' | 'HEAD';
  expected_status: string;
  body_contains: string | null;
  json_path: string | null;
  json_equals: string | null;
  timeout_ms: number;
  interval_ms: number;
  degraded_latency_ms: number | null;
  failure_threshold: number;
  recovery_threshold: number;
  enabled: boolean | number;
  config_error: string | null;
  state: OpsHubHealthState;
  consecutive_failures: number;
  consecutive_bad: number;
  consecutive_successes: number;
  last_probe_at: Timestamp | null;
  last_latency_ms: number | null;
  last_status_code: number | null;
  last_error_class: OpsHubHealthErrorClass | null;
  next_probe_at_ms: number | string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};
type SampleRow = {
  at_ms: number | string;
  latency_ms: number;
  status_code: number | null;
  outcome: number;
  error_class: number | null;
};
type IncidentRow = {
  id: number | string;
  check_id: number | string;
  state: 'degraded' | 'down';
  error_class: OpsHubHealthErrorClass | null;
  opened_at: Timestamp;
  closed_at: Timestamp | null;
};
type UptimeRow = {
  check_id: number | string;
  day_probes: number | string | null;
  day_up: number | string | null;
  week_probes: number | string | null;
  week_up: number | string | null;
  month_probes: number | string;
  month_up: number | string | null;
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** health_checks.id is a PostgreSQL integer: a larger id is no check. */
const MAX_ID = 2_147_483_647;
/** Bound variables per statement: SQLite's limit in old builds, PostgreSQL's. */
const SQLITE_MAX_VARIABLES = 999;
const POSTGRES_MAX_VARIABLES = 65_535;
/** Ids per `IN (...)` on SQLite; PostgreSQL takes any number as one array. */
const SQLITE_IDS_PER_QUERY = 900;

/**
 * The condition that lets a query use health_samples_check_hour: the same
 * expression as the index (`CAST(at_ms / 3600000 AS INTEGER)`), at or after
 * `sinceMs`'s hour.
 */
const SAMPLE_HOUR_AT_LEAST = 'CAST(at_ms / 3600000 AS INTEGER) >= ?';
const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** A check id of the API as the integer the tables hold; undefined: none. */
function parseCheckId(checkId: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(checkId)) return undefined;
  const id = Number(checkId);
  return id <= MAX_ID ? id : undefined;
}

function parseCheckIds(checkIds: string[]): number[] {
  const ids = new Set<number>();
  for (const checkId of checkIds) {
    const id = parseCheckId(checkId);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

/** Entity refs are stored lower case (as the catalog compares them). */
const normalizeRef = (entityRef: string) =>
  entityRef.toLocaleLowerCase('en-US');

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function nameTaken(name: string | undefined): ConflictError {
  return new ConflictError(
    `The entity already has a health check named "${name ?? ''}"`,
  );
}

const nullableNumber = (value: number | string | null) =>
  value === null ? null : Number(value);

/** A `health_checks` row as either database returns it, as a check. */
export function toCheck(row: CheckRow): StoredHealthCheck {
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    source: row.source,
    name: row.name,
    url: row.url,
    method: row.method,
    expectedStatus: row.expected_status,
    bodyContains: row.body_contains ?? null,
    jsonPath:
      row.json_path === null
        ? null
        : {
            path: row.json_path,
            equals: JSON.parse(row.json_equals ?? 'null'),
          },
    timeoutMs: Number(row.timeout_ms),
    intervalMs: Number(row.interval_ms),
    degradedLatencyMs: nullableNumber(row.degraded_latency_ms),
    failureThreshold: Number(row.failure_threshold),
    recoveryThreshold: Number(row.recovery_threshold),
    enabled: Boolean(row.enabled),
    configError: row.config_error ?? null,
    state: row.state,
    consecutiveFailures: Number(row.consecutive_failures),
    consecutiveBad: Number(row.consecutive_bad),
    consecutiveSuccesses: Number(row.consecutive_successes),
    lastProbeAt: row.last_probe_at === null ? null : toDate(row.last_probe_at),
    lastLatencyMs: nullableNumber(row.last_latency_ms),
    lastStatusCode: nullableNumber(row.last_status_code),
    lastErrorClass: row.last_error_class ?? null,
    nextProbeAtMs: nullableNumber(row.next_probe_at_ms),
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** The columns of the fields `changes` sets (undefined: left alone). */
function definitionColumns(changes: HealthCheckChanges) {
  const columns: Record<string, unknown> = {};
  const set = (column: string, value: unknown) => {
    if (value !== undefined) columns[column] = value;
  };
  set('name', changes.name);
  set('url', changes.url);
  set('method', changes.method);
  set('expected_status', changes.expectedStatus);
  set('body_contains', changes.bodyContains);
  if (changes.jsonPath !== undefined) {
    columns.json_path = changes.jsonPath?.path ?? null;
    columns.json_equals = changes.jsonPath
      ? JSON.stringify(changes.jsonPath.equals)
      : null;
  }
  set('timeout_ms', changes.timeoutMs);
  set('interval_ms', changes.intervalMs);
  set('degraded_latency_ms', changes.degradedLatencyMs);
  set('failure_threshold', changes.failureThreshold);
  set('recovery_threshold', changes.recoveryThreshold);
  set('enabled', changes.enabled);
  set('config_error', changes.configError);
  set('next_probe_at_ms', changes.nextProbeAtMs);
  return columns;
}

function toSample(row: SampleRow): OpsHubHealthSample {
  return {
    at: new Date(Number(row.at_ms)).toISOString(),
    outcome: outcomeFromCode(row.outcome),
    latencyMs: Number(row.latency_ms),
    statusCode: nullableNumber(row.status_code),
    errorClass: errorClassFromCode(row.error_class),
  };
}

function toIncident(row: IncidentRow): OpsHubHealthIncident {
  return {
    id: String(row.id),
    checkId: String(row.check_id),
    state: row.state,
    errorClass: row.error_class ?? null,
    openedAt: toDate(row.opened_at).toISOString(),
    closedAt:
      row.closed_at === null ? null : toDate(row.closed_at).toISOString(),
  };
}

/** Up ÷ probes, null without probes. */
function ratio(
  up: number | string | null,
  probes: number | string | null,
): number | null {
  const total = Number(probes ?? 0);
  return total === 0 ? null : Number(up ?? 0) / total;
}

const NO_UPTIME: OpsHubHealthUptime = { day: null, week: null, month: null };

/** A probe as the check's standing columns hold it. */
type ValidRecord = ProbeRecord & { id: number };

/** What applying a probe reads of its check. */
const STANDING_COLUMNS = [
  'id',
  'entity_ref',
  'enabled',
  'config_error',
  'updated_at',
  'failure_threshold',
  'recovery_threshold',
  'state',
  'consecutive_failures',
  'consecutive_bad',
  'consecutive_successes',
] as const;
type StandingRow = Pick<CheckRow, (typeof STANDING_COLUMNS)[number]>;

function standingOf(row: StandingRow): HealthStanding {
  return {
    state: row.state,
    consecutiveFailures: Number(row.consecutive_failures),
    consecutiveBad: Number(row.consecutive_bad),
    consecutiveSuccesses: Number(row.consecutive_successes),
  };
}

function standingColumns(standing: HealthStanding) {
  return {
    state: standing.state,
    consecutive_failures: standing.consecutiveFailures,
    consecutive_bad: standing.consecutiveBad,
    consecutive_successes: standing.consecutiveSuccesses,
  };
}

/**
 * Records in rounds in which each check appears at most once, in order: a
 * batch rarely holds two probes of one check, but when it does their
 * incident changes apply one after the other.
 */
function rounds(records: ValidRecord[]): ValidRecord[][] {
  const seen = new Map<number, number>();
  const result: ValidRecord[][] = [];
  for (const record of records) {
    const round = seen.get(record.id) ?? 0;
    seen.set(record.id, round + 1);
    (result[round] ??= []).push(record);
  }
  return result;
}

function* slices<T>(items: T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) {
    yield items.slice(start, start + size);
  }
}

/** Latencies are whole milliseconds in the tables. */
const wholeMs = (ms: number) => Math.max(0, Math.round(ms));

/** The health_checks, health_samples and health_incidents tables. */
export class DatabaseHealthStore implements HealthStore {
  private readonly isPostgres: boolean;

  constructor(private readonly knex: Knex) {
    this.isPostgres = knex.client.config.client === 'pg';
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
      const [row] = await this.knex('health_checks')
        .where({ id, entity_ref: normalizeRef(entityRef) })
        .update({ ...definitionColumns(changes), updated_at: new Date() })
        .returning('*');
      return row && toCheck(row);
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
      return true;
    });
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
      const rows = (await this.byIds(ids, slice => {
        const query = this.whereIdIn(
          trx<StandingRow>('health_checks').select(STANDING_COLUMNS),
          'id',
          slice,
        );
        return this.isPostgres ? query.forUpdate() : query;
      })) as StandingRow[];
      for (const row of rows) current.set(Number(row.id), row);

      const records: ValidRecord[] = [];
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
        const { standing, incident } = nextStanding(before, probe.result, {
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
    valid: ValidRecord[],
  ): Promise<void> {
    // The last probe of each check decides its standing.
    const latest = [...new Map(valid.map(r => [r.id, r])).values()];
    const existing = this.isPostgres
      ? await this.standingAndSamplesPostgres(trx, latest, valid)
      : await this.standingAndSamplesSqlite(trx, latest, valid);
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
    all: ValidRecord[],
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
             last_error_class = v.error_class
         FROM unnest(?::int[], ?::text[], ?::int[], ?::int[], ?::int[],
                     ?::timestamptz[], ?::int[], ?::int[], ?::text[])
           AS v(id, state, failures, bad, successes, probe_at, latency_ms,
                status_code, error_class)
         WHERE c.id = v.id
         RETURNING c.id),
       samples AS (
         INSERT INTO health_samples
           (at_ms, check_id, latency_ms, status_code, outcome, error_class)
         SELECT s.at_ms, s.check_id, s.latency_ms, s.status_code, s.outcome,
                s.error_class
         FROM unnest(?::bigint[], ?::int[], ?::int[], ?::smallint[],
                     ?::smallint[], ?::smallint[])
           AS s(at_ms, check_id, latency_ms, status_code, outcome, error_class)
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
        all.map(r => r.result.startedAt.getTime()),
        all.map(r => r.id),
        all.map(r => wholeMs(r.result.latencyMs)),
        all.map(r => r.result.statusCode),
        all.map(r => outcomeToCode(r.result.outcome)),
        all.map(r => errorClassToCode(r.result.errorClass)),
      ] as Knex.RawBinding[],
    );
    const rows = (result as { rows: { id: number }[] }).rows;
    return new Set(rows.map(row => Number(row.id)));
  }

  /** SQLite: one update per check, then the samples in multi-row inserts. */
  private async standingAndSamplesSqlite(
    trx: Knex.Transaction,
    latest: ValidRecord[],
    all: ValidRecord[],
  ): Promise<Set<number>> {
    const existing = new Set<number>();
    for (const { id, standing, result } of latest) {
      const updated = await trx('health_checks')
        .where({ id })
        .update({
          state: standing.state,
          consecutive_failures: standing.consecutiveFailures,
          consecutive_bad: standing.consecutiveBad,
          consecutive_successes: standing.consecutiveSuccesses,
          last_probe_at: result.startedAt,
          last_latency_ms: wholeMs(result.latencyMs),
          last_status_code: result.statusCode,
          last_error_class: result.errorClass,
        });
      if (updated > 0) existing.add(id);
    }
    await this.insertRows(
      trx,
      'health_samples (at_ms, check_id, latency_ms, status_code, outcome, error_class)',
      all
        .filter(r => existing.has(r.id))
        .map(({ id, result }) => [
          result.startedAt.getTime(),
          id,
          wholeMs(result.latencyMs),
          result.statusCode,
          outcomeToCode(result.outcome),
          errorClassToCode(result.errorClass),
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
    await this.byIds(worsens, ids =>
      this.whereIdIn(trx('health_incidents'), 'check_id', ids)
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
    const rows = (await this.byIds(parseCheckIds(checkIds), ids =>
      this.whereIdIn(this.knex('health_incidents'), 'check_id', ids).whereNull(
        'closed_at',
      ),
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
    const rows = (await this.byIds(ids, slice =>
      this.whereIdIn(this.knex('health_samples'), 'check_id', slice)
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

  /**
   * `column IN ids`: one array parameter on PostgreSQL (any number of ids,
   * one statement text), a list on SQLite (byIds keeps it under its limit).
   */
  private whereIdIn<Q extends Knex.QueryBuilder>(
    query: Q,
    column: string,
    ids: number[],
  ): Q {
    return (
      this.isPostgres
        ? query.whereRaw('?? = ANY(?::int[])', [column, ids])
        : query.whereIn(column, ids)
    ) as Q;
  }

  /** Runs `query` for all of `ids` at once on PostgreSQL, in slices on SQLite. */
  private async byIds<T>(
    ids: number[],
    query: (slice: number[]) => Knex.QueryBuilder | Promise<T>,
  ): Promise<unknown[]> {
    if (ids.length === 0) return [];
    const size = this.isPostgres ? ids.length : SQLITE_IDS_PER_QUERY;
    const rows: unknown[] = [];
    for (const slice of slices(ids, size)) {
      const result = await query(slice);
      if (Array.isArray(result)) rows.push(...result);
    }
    return rows;
  }
}
