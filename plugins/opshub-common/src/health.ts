/**
 * A check's (and an entity's) health: `unknown` until a probe decides it,
 * then `ok`, `degraded` or `down` by the check's thresholds (the backend
 * README's transition table), or `maintenance` during one of the check's
 * maintenance windows. An entity's state is the worst of its checks.
 *
 * @public
 */
export const HEALTH_STATES = [
  'unknown',
  'ok',
  'degraded',
  'down',
  'maintenance',
] as const;

/** @public */
export type OpsHubHealthState = (typeof HEALTH_STATES)[number];

/**
 * Why a probe failed.
 *
 * @public
 */
export const HEALTH_ERROR_CLASSES = [
  'timeout',
  'dns',
  'connect',
  'tls',
  'status',
  'assertion',
  'blocked',
] as const;

/** @public */
export type OpsHubHealthErrorClass = (typeof HEALTH_ERROR_CLASSES)[number];

/**
 * One probe's outcome: a success, a success slower than the check's
 * degraded threshold, or a failure (with an error class).
 *
 * @public
 */
export const PROBE_OUTCOMES = ['success', 'degraded', 'failure'] as const;

/** @public */
export type OpsHubProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** @public */
export type OpsHubHealthCheckMethod = 'GET' | 'HEAD';

/**
 * A JSON-path assertion: the value at `path` (`$.a.b[0]`) of the JSON body
 * equals `equals` (compared as JSON).
 *
 * @public
 */
export interface OpsHubJsonPathAssertion {
  path: string;
  equals: string | number | boolean | null;
}

/**
 * What `POST .../health/checks` takes (and `PATCH` takes any part of).
 * Every duration is a number of milliseconds in a field ending in `Ms`.
 *
 * @public
 */
export interface OpsHubHealthCheckInput {
  name: string;
  /** http or https only. */
  url: string;
  /** Default GET. */
  method?: OpsHubHealthCheckMethod;
  /** Status codes that pass: ranges and lists, e.g. `200-299` (default), `200,204,301-302`. */
  expectedStatus?: string;
  /** The body must contain this text. */
  bodyContains?: string | null;
  jsonPath?: OpsHubJsonPathAssertion | null;
  /** Default 10,000. */
  timeoutMs?: number;
  /** Default 60,000; at least `opshub.health.minInterval`. */
  intervalMs?: number;
  /** A success slower than this is degraded; null: never. */
  degradedLatencyMs?: number | null;
  /** Default 3. */
  failureThreshold?: number;
  /** Default 2. */
  recoveryThreshold?: number;
  /** Default true. */
  enabled?: boolean;
  /**
   * Request headers sent with every probe. A value may reference a variable
   * of the entity as `${env:NAME}` (its `production` value), decrypted only
   * in memory at probe time; secret-looking headers (Authorization, Cookie,
   * ...) must use such a reference. Default none.
   */
  headers?: Record<string, string>;
  /**
   * An https check whose certificate expires within this many days is
   * degraded; null (default): not checked.
   */
  certExpiryDays?: number | null;
  /**
   * At most one alert per this many ms unless the check gets worse
   * (degraded to down). Default 900,000 (15 minutes).
   */
  alertCooldownMs?: number;
  /**
   * A reminder this often while the check stays degraded or down; 0: none.
   * Default 14,400,000 (4 hours).
   */
  reminderIntervalMs?: number;
}

/** @public */
export type OpsHubWeekday =
  | 'mon'
  | 'tue'
  | 'wed'
  | 'thu'
  | 'fri'
  | 'sat'
  | 'sun';

/**
 * A maintenance window as `POST .../health/checks/:checkId/maintenance`
 * takes it: once, from `startsAt` to `endsAt` (local date-times
 * `YYYY-MM-DDTHH:mm` in `timeZone`), or weekly on `days` from `startTime`
 * (`HH:mm` local) for `durationMinutes`. `timeZone` is an IANA zone name
 * (`Europe/Berlin`); local times follow its daylight saving changes.
 *
 * @public
 */
export type OpsHubMaintenanceWindowInput =
  | {
      kind: 'once';
      startsAt: string;
      endsAt: string;
      timeZone: string;
      reason?: string | null;
    }
  | {
      kind: 'weekly';
      days: OpsHubWeekday[];
      startTime: string;
      durationMinutes: number;
      timeZone: string;
      reason?: string | null;
    };

/** @public */
export type OpsHubMaintenanceWindow = OpsHubMaintenanceWindowInput & {
  id: string;
  checkId: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
};

/**
 * One hour of a check's probes: `GET .../health/checks/:checkId/rollups`.
 * Probes in a maintenance window are left out. Latency percentiles are by
 * nearest rank over the probes that were not failures; null without any.
 *
 * @public
 */
export interface OpsHubHealthRollup {
  /** The hour's start, ISO 8601 UTC. */
  hour: string;
  count: number;
  failures: number;
  degraded: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p99LatencyMs: number | null;
}

/**
 * The Backstage notification topics OpsHub sends under (users mute them
 * in their notification settings).
 *
 * @public
 */
export const OPSHUB_NOTIFICATION_TOPICS = {
  health: 'opshub-health',
  digest: 'opshub-digest',
} as const;

/**
 * Uptime over the last 24 hours, 7 days and 30 days: probes that were not
 * failures ÷ probes (degraded successes count as up); null without probes.
 *
 * @public
 */
export interface OpsHubHealthUptime {
  day: number | null;
  week: number | null;
  month: number | null;
}

/**
 * A time a check spent `degraded` or `down`: opened on entering either,
 * closed on returning to `ok`. `state` is the worst it reached.
 *
 * @public
 */
export interface OpsHubHealthIncident {
  id: string;
  checkId: string;
  state: 'degraded' | 'down';
  /** The error class of the probe that opened it (null for slowness). */
  errorClass: OpsHubHealthErrorClass | null;
  openedAt: string;
  closedAt: string | null;
}

/**
 * A check as `GET .../health` returns it: its definition, where it comes
 * from (`annotation` checks are read-only in the API) and its standing.
 *
 * @public
 */
export interface OpsHubHealthCheck extends Required<OpsHubHealthCheckInput> {
  id: string;
  entityRef: string;
  /**
   * `api`; `annotation` (kept in sync with `opshub.dev/health-url`); or
   * `preview`: OpsHub's check of a ready preview's URL (`previewId`).
   */
  source: 'api' | 'annotation' | 'preview';
  /** The preview a `preview` check watches; null otherwise. */
  previewId: string | null;
  /** The check's maintenance windows (past one-off windows are dropped). */
  maintenance: OpsHubMaintenanceWindow[];
  /** Why the check cannot be probed (e.g. its annotation URL is refused). */
  configError: string | null;
  state: OpsHubHealthState;
  lastProbeAt: string | null;
  lastLatencyMs: number | null;
  lastStatusCode: number | null;
  lastErrorClass: OpsHubHealthErrorClass | null;
  /**
   * Why the last probe failed or was degraded, for people (never a header
   * value; at most a short JSON value read at the asserted path); null after
   * a plain success.
   */
  lastErrorMessage: string | null;
  uptime: OpsHubHealthUptime;
  openIncident: OpsHubHealthIncident | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * `GET /entities/:kind/:namespace/:name/health`.
 *
 * @public
 */
export interface OpsHubEntityHealth {
  /** The worst state of `checks` (preview checks do not count). */
  state: OpsHubHealthState;
  checks: OpsHubHealthCheck[];
  /** The checks of the entity's live previews. */
  previews: OpsHubHealthCheck[];
}

/**
 * One probe: `GET .../health/checks/:checkId/samples`, newest first.
 *
 * @public
 */
export interface OpsHubHealthSample {
  at: string;
  outcome: OpsHubProbeOutcome;
  latencyMs: number;
  statusCode: number | null;
  errorClass: OpsHubHealthErrorClass | null;
}

/**
 * The worst of several states (`down` > `degraded` > `unknown` >
 * `maintenance` > `ok`); `unknown` without any.
 *
 * @public
 */
export function worstHealthState(
  states: Iterable<OpsHubHealthState>,
): OpsHubHealthState {
  const rank: Record<OpsHubHealthState, number> = {
    ok: 0,
    maintenance: 1,
    unknown: 2,
    degraded: 3,
    down: 4,
  };
  let worst: OpsHubHealthState | undefined;
  for (const state of states) {
    if (worst === undefined || rank[state] > rank[worst]) worst = state;
  }
  return worst ?? 'unknown';
}

/**
 * The Backstage signals channel on which the backend announces that an
 * entity's health changed (the message carries the entity ref only).
 *
 * @public
 */
export function opshubHealthChannel(entityRef: string): string {
  return `opshub.health:${entityRef.toLocaleLowerCase('en-US')}`;
}
