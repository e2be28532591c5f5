import { durationToMilliseconds } from '@backstage/types';
import { type Config, readDurationFromConfig } from '@backstage/config';

/** `opshub.health`, with the documented defaults (config.d.ts). */
export interface HealthConfig {
  /** The shortest interval a check may have. */
  minIntervalMs: number;
  /** Probes of one host (URL host and port) running at once per instance. */
  perHostConcurrency: number;
  /** Probes running at once per instance (the health queue's workers). */
  concurrency: number;
  /** RFC 1918, CGNAT and ULA addresses may be probed. */
  allowPrivateNetworks: boolean;
  /** CIDRs probed even where a rule refuses them (loopback, link-local, ...). */
  allowedNetworks: string[];
  /** Redirects followed per probe, each hop checked again. */
  maxRedirects: number;
  /** How often due probes are enqueued, for the window up to the next time. */
  scheduleIntervalMs: number;
  /** Raw samples are kept this long; hourly rollups 90 days. */
  sampleRetentionMs: number;
  /** Checks of ready previews (`opshub.health.previews`). */
  previews: {
    /** A preview that becomes ready gets a check on its URL. */
    enabled: boolean;
    intervalMs: number;
    /** Preview checks alert as other checks do (default: they do not). */
    alert: boolean;
  };
}

/** Hourly rollups are kept this long. */
export const ROLLUP_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  minIntervalMs: 10_000,
  perHostConcurrency: 4,
  concurrency: 256,
  allowPrivateNetworks: false,
  allowedNetworks: [],
  maxRedirects: 5,
  scheduleIntervalMs: 5_000,
  sampleRetentionMs: 7 * 24 * 60 * 60 * 1000,
  previews: { enabled: true, intervalMs: 60_000, alert: false },
};

/** Defaults for a check's fields the API and the annotation leave out. */
export const CHECK_DEFAULTS = {
  method: 'GET',
  expectedStatus: '200-299',
  timeoutMs: 10_000,
  intervalMs: 60_000,
  failureThreshold: 3,
  recoveryThreshold: 2,
  alertCooldownMs: 15 * 60_000,
  reminderIntervalMs: 4 * 60 * 60_000,
} as const;

export function readHealthConfig(opshub: Config | undefined): HealthConfig {
  const health = opshub?.getOptionalConfig('health');
  const d = DEFAULT_HEALTH_CONFIG;
  const ms = (key: string, fallback: number) =>
    health?.has(key)
      ? durationToMilliseconds(readDurationFromConfig(health, { key }))
      : fallback;
  const positive = (key: string, fallback: number) => {
    const value = health?.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`opshub.health.${key} must be a positive integer`);
    }
    return value;
  };
  const maxRedirects =
    health?.getOptionalNumber('maxRedirects') ?? d.maxRedirects;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new Error(
      'opshub.health.maxRedirects must be an integer of 0 or more',
    );
  }
  const minIntervalMs = ms('minInterval', d.minIntervalMs);
  const previewIntervalMs = ms('previews.interval', d.previews.intervalMs);
  if (previewIntervalMs < minIntervalMs) {
    throw new Error(
      'opshub.health.previews.interval must be at least opshub.health.minInterval',
    );
  }
  return {
    minIntervalMs,
    perHostConcurrency: positive('perHostConcurrency', d.perHostConcurrency),
    concurrency: positive('concurrency', d.concurrency),
    allowPrivateNetworks:
      health?.getOptionalBoolean('allowPrivateNetworks') ??
      d.allowPrivateNetworks,
    allowedNetworks:
      health?.getOptionalStringArray('allowedNetworks') ?? d.allowedNetworks,
    maxRedirects,
    scheduleIntervalMs: ms('scheduleInterval', d.scheduleIntervalMs),
    sampleRetentionMs: ms('sampleRetention', d.sampleRetentionMs),
    previews: {
      enabled:
        health?.getOptionalBoolean('previews.enabled') ?? d.previews.enabled,
      intervalMs: previewIntervalMs,
      alert: health?.getOptionalBoolean('previews.alert') ?? d.previews.alert,
    },
  };
}
