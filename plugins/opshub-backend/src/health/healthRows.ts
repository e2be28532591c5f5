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
import type {
  HealthCheckChanges,
  HealthCheckSource,
  HealthStanding,
  ProbeRecord,
  StoredHealthCheck,
} from './HealthStore';
import { errorClassFromCode, outcomeFromCode } from './sampleCodes';

/**
 * The health tables' rows as either database returns them, and what the
 * store and the probe writes share to read and write them.
 */

export type Timestamp = Date | string | number;
export type CheckRow = {
  id: number | string;
  entity_ref: string;
  name: string;
  source: HealthCheckSource;
  preview_id: number | string | null;
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
  headers: string | null;
  cert_expiry_days: number | null;
  alert_cooldown_ms: number;
  reminder_interval_ms: number;
  config_error: string | null;
  state: OpsHubHealthState;
  consecutive_failures: number;
  consecutive_bad: number;
  consecutive_successes: number;
  last_probe_at: Timestamp | null;
  last_latency_ms: number | null;
  last_status_code: number | null;
  last_error_class: OpsHubHealthErrorClass | null;
  last_error_message: string | null;
  next_probe_at_ms: number | string | null;
  alerted_state: 'degraded' | 'down' | null;
  last_alert_at_ms: number | string | null;
  last_notice_at_ms: number | string | null;
  alert_due_at_ms: number | string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};
export type SampleRow = {
  at_ms: number | string;
  latency_ms: number;
  status_code: number | null;
  outcome: number;
  error_class: number | null;
};
export type IncidentRow = {
  id: number | string;
  check_id: number | string;
  state: 'degraded' | 'down';
  error_class: OpsHubHealthErrorClass | null;
  opened_at: Timestamp;
  closed_at: Timestamp | null;
};
export type UptimeRow = {
  check_id: number | string;
  day_probes: number | string | null;
  day_up: number | string | null;
  week_probes: number | string | null;
  week_up: number | string | null;
  month_probes: number | string;
  month_up: number | string | null;
};

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** health_checks.id is a PostgreSQL integer: a larger id is no check. */
export const MAX_ID = 2_147_483_647;
/** Bound variables per statement: SQLite's limit in old builds, PostgreSQL's. */
export const SQLITE_MAX_VARIABLES = 999;
export const POSTGRES_MAX_VARIABLES = 65_535;
/** Ids per `IN (...)` on SQLite; PostgreSQL takes any number as one array. */
export const SQLITE_IDS_PER_QUERY = 900;

/**
 * The condition that lets a query use health_samples_check_hour: the same
 * expression as the index (`CAST(at_ms / 3600000 AS INTEGER)`), at or after
 * `sinceMs`'s hour.
 */
export const SAMPLE_HOUR_AT_LEAST = 'CAST(at_ms / 3600000 AS INTEGER) >= ?';
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** A check id of the API as the integer the tables hold; undefined: none. */
export function parseCheckId(checkId: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(checkId)) return undefined;
  const id = Number(checkId);
  return id <= MAX_ID ? id : undefined;
}

export function parseCheckIds(checkIds: string[]): number[] {
  const ids = new Set<number>();
  for (const checkId of checkIds) {
    const id = parseCheckId(checkId);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

/** Entity refs are stored lower case (as the catalog compares them). */
export const normalizeRef = (entityRef: string) =>
  entityRef.toLocaleLowerCase('en-US');

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function nameTaken(name: string | undefined): ConflictError {
  return new ConflictError(
    `The entity already has a health check named "${name ?? ''}"`,
  );
}

export const nullableNumber = (value: number | string | null) =>
  value === null ? null : Number(value);

/** A `health_checks` row as either database returns it, as a check. */
export function toCheck(row: CheckRow): StoredHealthCheck {
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    source: row.source,
    previewId: row.preview_id === null ? null : String(row.preview_id),
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
    headers: row.headers ? JSON.parse(row.headers) : {},
    certExpiryDays: nullableNumber(row.cert_expiry_days),
    alertCooldownMs: Number(row.alert_cooldown_ms),
    reminderIntervalMs: Number(row.reminder_interval_ms),
    configError: row.config_error ?? null,
    state: row.state,
    consecutiveFailures: Number(row.consecutive_failures),
    consecutiveBad: Number(row.consecutive_bad),
    consecutiveSuccesses: Number(row.consecutive_successes),
    lastProbeAt: row.last_probe_at === null ? null : toDate(row.last_probe_at),
    lastLatencyMs: nullableNumber(row.last_latency_ms),
    lastStatusCode: nullableNumber(row.last_status_code),
    lastErrorClass: row.last_error_class ?? null,
    lastErrorMessage: row.last_error_message ?? null,
    nextProbeAtMs: nullableNumber(row.next_probe_at_ms),
    alertedState: row.alerted_state ?? null,
    lastAlertAtMs: nullableNumber(row.last_alert_at_ms),
    lastNoticeAtMs: nullableNumber(row.last_notice_at_ms),
    alertDueAtMs: nullableNumber(row.alert_due_at_ms),
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** The columns of the fields `changes` sets (undefined: left alone). */
export function definitionColumns(changes: HealthCheckChanges) {
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
  if (changes.headers !== undefined) {
    columns.headers =
      Object.keys(changes.headers).length > 0
        ? JSON.stringify(changes.headers)
        : null;
  }
  set('cert_expiry_days', changes.certExpiryDays);
  set('alert_cooldown_ms', changes.alertCooldownMs);
  set('reminder_interval_ms', changes.reminderIntervalMs);
  set('config_error', changes.configError);
  set('next_probe_at_ms', changes.nextProbeAtMs);
  return columns;
}

export function toSample(row: SampleRow): OpsHubHealthSample {
  return {
    at: new Date(Number(row.at_ms)).toISOString(),
    outcome: outcomeFromCode(row.outcome),
    latencyMs: Number(row.latency_ms),
    statusCode: nullableNumber(row.status_code),
    errorClass: errorClassFromCode(row.error_class),
  };
}

export function toIncident(row: IncidentRow): OpsHubHealthIncident {
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
export function ratio(
  up: number | string | null,
  probes: number | string | null,
): number | null {
  const total = Number(probes ?? 0);
  return total === 0 ? null : Number(up ?? 0) / total;
}

export const NO_UPTIME: OpsHubHealthUptime = {
  day: null,
  week: null,
  month: null,
};

/**
 * A probe as the check's standing columns hold it; `alertDue`: it changed
 * the check's state or incident, so its alerts are decided again.
 */
export type ValidRecord = ProbeRecord & { id: number; alertDue?: boolean };

/** What applying a probe reads of its check. */
export const STANDING_COLUMNS = [
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
export type StandingRow = Pick<CheckRow, (typeof STANDING_COLUMNS)[number]>;

export function standingOf(row: StandingRow): HealthStanding {
  return {
    state: row.state,
    consecutiveFailures: Number(row.consecutive_failures),
    consecutiveBad: Number(row.consecutive_bad),
    consecutiveSuccesses: Number(row.consecutive_successes),
  };
}

export function standingColumns(standing: HealthStanding) {
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
export function rounds(records: ValidRecord[]): ValidRecord[][] {
  const seen = new Map<number, number>();
  const result: ValidRecord[][] = [];
  for (const record of records) {
    const round = seen.get(record.id) ?? 0;
    seen.set(record.id, round + 1);
    (result[round] ??= []).push(record);
  }
  return result;
}

export function* slices<T>(items: T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) {
    yield items.slice(start, start + size);
  }
}

/** Latencies are whole milliseconds in the tables. */
export const wholeMs = (ms: number) => Math.max(0, Math.round(ms));

/**
 * Id lists in queries: one array parameter on PostgreSQL (any number of
 * ids, one statement text), lists in slices under SQLite's variable limit.
 */
export class IdQueries {
  constructor(private readonly isPostgres: boolean) {}

  /**
   * `column IN ids`: one array parameter on PostgreSQL (any number of ids,
   * one statement text), a list on SQLite (byIds keeps it under its limit).
   */
  whereIdIn<Q extends Knex.QueryBuilder>(
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
  async byIds<T>(
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
