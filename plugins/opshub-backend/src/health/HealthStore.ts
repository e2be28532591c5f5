import type {
  OpsHubHealthCheckMethod,
  OpsHubHealthErrorClass,
  OpsHubHealthIncident,
  OpsHubHealthSample,
  OpsHubHealthState,
  OpsHubHealthUptime,
  OpsHubJsonPathAssertion,
} from '@opshub/plugin-opshub-common';
import type { ProbeResult } from './probe/types';

/** A check's definition with every default filled in. */
export interface HealthCheckDefinition {
  name: string;
  url: string;
  method: OpsHubHealthCheckMethod;
  expectedStatus: string;
  bodyContains: string | null;
  jsonPath: OpsHubJsonPathAssertion | null;
  timeoutMs: number;
  intervalMs: number;
  degradedLatencyMs: number | null;
  failureThreshold: number;
  recoveryThreshold: number;
  enabled: boolean;
  /** Request headers; values may hold `${env:NAME}` references (headerValues). */
  headers: Record<string, string>;
  /** Degraded when the TLS certificate expires within this many days; null: not checked. */
  certExpiryDays: number | null;
  /** At most one alert per this many ms unless the check gets worse. */
  alertCooldownMs: number;
  /** A reminder this often while bad; 0: none. */
  reminderIntervalMs: number;
}

/**
 * What the alert decisions keep per check (alerts/decideAlert): the bad
 * state last alerted in the current bad spell, when the last alert and the
 * last alert or reminder went out, and when to decide again.
 */
export interface AlertBookkeeping {
  alertedState: 'degraded' | 'down' | null;
  lastAlertAtMs: number | null;
  lastNoticeAtMs: number | null;
  /** Set to the probe's time when a probe changes the check's state. */
  alertDueAtMs: number | null;
}

/** Where a check stands: its state and the runs of probes that lead to the next. */
export interface HealthStanding {
  state: OpsHubHealthState;
  /** Consecutive failures, up to the last probe. */
  consecutiveFailures: number;
  /** Consecutive probes that were degraded or failed. */
  consecutiveBad: number;
  consecutiveSuccesses: number;
}

export type HealthCheckSource = 'api' | 'annotation' | 'preview';

export interface StoredHealthCheck
  extends HealthCheckDefinition,
    HealthStanding,
    AlertBookkeeping {
  id: string;
  entityRef: string;
  source: HealthCheckSource;
  /** The preview a `preview` check watches; null otherwise. */
  previewId: string | null;
  configError: string | null;
  lastProbeAt: Date | null;
  lastLatencyMs: number | null;
  lastStatusCode: number | null;
  lastErrorClass: OpsHubHealthErrorClass | null;
  /** Why the last probe failed or was degraded (ProbeResult.message). */
  lastErrorMessage: string | null;
  /** When the next probe is due; null: not scheduled (disabled, or a config error). */
  nextProbeAtMs: number | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a probe changes of its incidents (healthStateMachine decides). */
export type IncidentChange =
  | {
      action: 'open';
      state: 'degraded' | 'down';
      errorClass: OpsHubHealthErrorClass | null;
    }
  /** degraded → down: the open incident's worst state becomes down. */
  | { action: 'worsen'; state: 'down' }
  | { action: 'close' }
  | null;

/** One probe to record: its sample, the check's new standing, its incident change. */
export interface ProbeRecord {
  checkId: string;
  entityRef: string;
  result: ProbeResult;
  standing: HealthStanding;
  incident: IncidentChange;
}

/** A probe's result to apply: the check and the version of it that was probed. */
export interface ProbeToApply {
  checkId: string;
  /**
   * The check's `updatedAt` (epoch ms) when the probe was scheduled: a
   * check changed since ignores the probe (it probed the old definition).
   */
  version: number;
  result: ProbeResult;
}

/**
 * What applying a probe did: the entity's ref and whether the check's state
 * changed or an incident opened, worsened or closed (a change also sets the
 * check's alertDueAtMs to the probe's time); undefined when it was ignored
 * (the check is gone, disabled, misconfigured or changed since).
 */
export type AppliedProbe = { entityRef: string; changed: boolean } | undefined;

export interface NewHealthCheck extends HealthCheckDefinition {
  entityRef: string;
  source: HealthCheckSource;
  /** Required for (and only for) source `preview`. */
  previewId?: string | null;
  configError: string | null;
  nextProbeAtMs: number | null;
  createdBy: string;
}

/** A change to a check's definition; a changed URL or interval reschedules it. */
export type HealthCheckChanges = Partial<HealthCheckDefinition> & {
  configError?: string | null;
  nextProbeAtMs?: number | null;
};

/**
 * Health checks, their samples and incidents. Every read and change of one
 * check is scoped to its entity: a check id of another entity is not found.
 */
export interface HealthStore {
  listChecks(entityRef: string): Promise<StoredHealthCheck[]>;
  getCheck(
    entityRef: string,
    checkId: string,
  ): Promise<StoredHealthCheck | undefined>;
  /** ConflictError when the entity has a check of that name. */
  createCheck(check: NewHealthCheck): Promise<StoredHealthCheck>;
  /** Undefined when no such check; ConflictError on a name taken. */
  updateCheck(
    entityRef: string,
    checkId: string,
    changes: HealthCheckChanges,
  ): Promise<StoredHealthCheck | undefined>;
  /** Deletes the check, its samples and incidents; false when no such check. */
  deleteCheck(entityRef: string, checkId: string): Promise<boolean>;
  /** The annotation checks of every entity (for keeping them in sync). */
  listAnnotationChecks(): Promise<StoredHealthCheck[]>;

  /**
   * Records probes in one transaction: their samples in one insert, each
   * check's standing and last probe, and the incidents they open, worsen
   * or close. A check deleted meanwhile is skipped.
   */
  recordProbes(records: ProbeRecord[]): Promise<void>;

  /**
   * Applies probe results in one transaction: locks their checks, works out
   * each one's new standing from the check's current standing and
   * thresholds (healthStateMachine, in order for several probes of one
   * check) and records them as recordProbes does. One answer per probe.
   */
  applyProbes(probes: ProbeToApply[]): Promise<AppliedProbe[]>;

  /** Newest first: samples at or after `sinceMs`, at most `limit`. */
  listSamples(
    checkId: string,
    options: { sinceMs: number; limit: number },
  ): Promise<OpsHubHealthSample[]>;
  /** Newest first. */
  listIncidents(
    checkId: string,
    options: { limit: number },
  ): Promise<OpsHubHealthIncident[]>;
  /** The open incident of each check that has one. */
  openIncidents(checkIds: string[]): Promise<Map<string, OpsHubHealthIncident>>;
  /** Uptime of each check over the 24 h, 7 d and 30 d before `nowMs`. */
  uptime(
    checkIds: string[],
    nowMs: number,
  ): Promise<Map<string, OpsHubHealthUptime>>;
}
