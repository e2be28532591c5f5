/**
 * A check's (and an entity's) health: `unknown` until a probe decides it,
 * then `ok`, `degraded` or `down` by the check's thresholds (the backend
 * README's transition table). An entity's state is the worst of its checks.
 *
 * @public
 */
export const HEALTH_STATES = ['unknown', 'ok', 'degraded', 'down'] as const;

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
}

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
  source: 'api' | 'annotation';
  /** Why the check cannot be probed (e.g. its annotation URL is refused). */
  configError: string | null;
  state: OpsHubHealthState;
  lastProbeAt: string | null;
  lastLatencyMs: number | null;
  lastStatusCode: number | null;
  lastErrorClass: OpsHubHealthErrorClass | null;
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
  state: OpsHubHealthState;
  checks: OpsHubHealthCheck[];
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
 * The worst of several states (`down` > `degraded` > `unknown` > `ok`);
 * `unknown` without any.
 *
 * @public
 */
export function worstHealthState(
  states: Iterable<OpsHubHealthState>,
): OpsHubHealthState {
  const rank: Record<OpsHubHealthState, number> = {
    ok: 0,
    unknown: 1,
    degraded: 2,
    down: 3,
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
