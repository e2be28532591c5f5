import type { OpsHubHealthSample } from '@opshub/plugin-opshub-common';

/** How many of a check's latest probes the sparkline draws. */
export const SPARKLINE_SAMPLES = 60;

/**
 * An uptime ratio (0–1) as a percentage with one decimal, rounded down so a
 * failed probe never shows as 100.0%; "—" without probes.
 */
export function formatUptime(ratio: number | null): string {
  if (ratio === null) return '—';
  // (The epsilon keeps 0.999 from flooring to 99.8 through float error.)
  const tenths = Math.floor(ratio * 1000 + 1e-9);
  return `${(tenths / 10).toFixed(1)}%`;
}

/** The 95th percentile of the samples' latencies by nearest rank; null without samples. */
export function p95LatencyMs(samples: OpsHubHealthSample[]): number | null {
  if (samples.length === 0) return null;
  const sorted = samples.map(s => s.latencyMs).sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

/** "12 s ago", "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}

/**
 * What to show of a backend error: the server's own message (a
 * `ResponseError`'s cause, e.g. a 400's reason) rather than "Request failed
 * with 400 Bad Request".
 */
export function messageOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause;
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
