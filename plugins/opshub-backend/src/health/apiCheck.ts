import type {
  OpsHubHealthCheck,
  OpsHubHealthIncident,
  OpsHubHealthUptime,
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
): OpsHubHealthCheck {
  return {
    id: check.id,
    entityRef: check.entityRef,
    source: check.source,
    ...definitionOfStored(check),
    configError: check.configError,
    state: check.state,
    lastProbeAt: check.lastProbeAt?.toISOString() ?? null,
    lastLatencyMs: check.lastLatencyMs,
    lastStatusCode: check.lastStatusCode,
    lastErrorClass: check.lastErrorClass,
    uptime: uptime ?? NO_UPTIME,
    openIncident: openIncident ?? null,
    createdAt: check.createdAt.toISOString(),
    updatedAt: check.updatedAt.toISOString(),
  };
}
