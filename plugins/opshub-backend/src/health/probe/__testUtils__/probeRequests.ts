import type { ProbeRequest } from '../types';

/** A GET of `url` expecting 2xx, with no assertions, headers or certificate check. */
export function probeRequest(
  url: string,
  overrides: Partial<ProbeRequest> = {},
): ProbeRequest {
  return {
    url,
    method: 'GET',
    timeoutMs: 5_000,
    expectedStatus: '200-299',
    bodyContains: null,
    jsonPath: null,
    degradedLatencyMs: null,
    headers: {},
    certExpiryDays: null,
    ...overrides,
  };
}
