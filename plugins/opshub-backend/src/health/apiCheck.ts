import type {
  OpsHubHealthCheck,
  OpsHubHealthIncident,
  OpsHubHealthUptime,
  OpsHubMaintenanceWindow,
} from '@opshub/plugin-opshub-common';
import type { HealthCheckDefinition, StoredHealthCheck } from './HealthStore';

const NO_UPTIME: OpsHubHealthUptime = { day: null, week: null, month: null };

/** A check's definition alone (what a PATCH is merged into). */
export function definitionOfStored(
  check: StoredHealthCheck,
): HealthCheckDefinition {
  return {
    name: check.name,
    url: check.url,
    method: check.method,
    expectedStatus: check.expectedStatus,
    bodyContains: check.bodyContains,
    jsonPath: check.jsonPath,
    timeoutMs: check.timeoutMs,
    intervalMs: check.intervalMs,
    degradedLatencyMs: check.degradedLatencyMs,
    failureThreshold: check.failureThreshold,
    recoveryThreshold: check.recoveryThreshold,
    enabled: check.enabled,
    headers: check.headers,
    certExpiryDays: check.certExpiryDays,
    alertCooldownMs: check.alertCooldownMs,
    reminderIntervalMs: check.reminderIntervalMs,
  };
}

/**
 * A stored check as the API shows it: its definition and standing, without
 * the scheduler's and state machine's bookkeeping.
 */
export function apiCheck(
  check: StoredHealthCheck,
  uptime: OpsHubHealthUptime | undefined,
  openIncident: OpsHubHealthIncident | undefined,
  maintenance?: {
    windows: OpsHubMaintenanceWindow[];
    /** A window is open now: the check shows `maintenance`. */
    now: boolean;
  },
): OpsHubHealthCheck {
  let state = check.state;
  if (maintenance?.now) state = 'maintenance';
  // Probed last in a window that has ended: nothing decided since.
  else if (state === 'maintenance') state = 'unknown';
  return {
    id: check.id,
    entityRef: check.entityRef,
    source: check.source,
    previewId: check.previewId,
    ...definitionOfStored(check),
    maintenance: maintenance?.windows ?? [],
    configError: check.configError,
    state,
    lastProbeAt: check.lastProbeAt?.toISOString() ?? null,
    lastLatencyMs: check.lastLatencyMs,
    lastStatusCode: check.lastStatusCode,
    lastErrorClass: check.lastErrorClass,
    lastErrorMessage: check.lastErrorMessage,
    uptime: uptime ?? NO_UPTIME,
    openIncident: openIncident ?? null,
    createdAt: check.createdAt.toISOString(),
    updatedAt: check.updatedAt.toISOString(),
  };
}
