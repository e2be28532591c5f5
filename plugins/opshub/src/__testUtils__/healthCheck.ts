import type { OpsHubHealthCheck } from '@opshub/plugin-opshub-common';

/** A check as `GET .../health` returns it: ok, probed 12 s ago, with `overrides`. */
export function healthCheck(
  overrides: Partial<OpsHubHealthCheck>,
): OpsHubHealthCheck {
  return {
    id: 'c1',
    entityRef: 'component:default/web',
    name: 'api',
    url: 'https://api.example.com/healthz',
    source: 'api',
    previewId: null,
    maintenance: [],
    headers: {},
    certExpiryDays: null,
    alertCooldownMs: 900_000,
    reminderIntervalMs: 14_400_000,
    method: 'GET',
    expectedStatus: '200-299',
    bodyContains: null,
    jsonPath: null,
    timeoutMs: 10_000,
    intervalMs: 60_000,
    degradedLatencyMs: null,
    failureThreshold: 3,
    recoveryThreshold: 2,
    enabled: true,
    configError: null,
    state: 'ok',
    lastProbeAt: new Date(Date.now() - 12_000).toISOString(),
    lastLatencyMs: 85,
    lastStatusCode: 200,
    lastErrorClass: null,
    lastErrorMessage: null,
    uptime: { day: 0.999, week: 1, month: null },
    openIncident: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}
