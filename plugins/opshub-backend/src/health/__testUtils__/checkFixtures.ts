import { CHECK_DEFAULTS } from '../healthConfig';
import type { NewHealthCheck } from '../HealthStore';

/**
 * A check as the store takes it: an enabled API check of
 * component:default/storefront with every default, not scheduled; tests
 * override what they are about.
 */
export function newHealthCheck(
  overrides: Partial<NewHealthCheck> = {},
): NewHealthCheck {
  return {
    ...CHECK_DEFAULTS,
    entityRef: 'component:default/storefront',
    source: 'api',
    name: 'home',
    url: 'https://storefront.example.com/healthz',
    bodyContains: null,
    jsonPath: null,
    degradedLatencyMs: null,
    enabled: true,
    headers: {},
    certExpiryDays: null,
    configError: null,
    nextProbeAtMs: null,
    createdBy: 'user:default/alice',
    ...overrides,
  };
}
