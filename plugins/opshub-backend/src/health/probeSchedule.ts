import { createHash } from 'node:crypto';

/**
 * Where in its interval a check is probed: a stable offset from a hash of
 * the check, so checks with equal intervals spread over the interval instead
 * of all coming due at once, and each keeps its place across restarts.
 */
export function probePhaseMs(checkId: string, intervalMs: number): number {
  const digest = createHash('sha256').update(`health:${checkId}`).digest();
  return digest.readUInt32BE(0) % intervalMs;
}

/**
 * The first due time after `afterMs` on the check's grid (its phase plus
 * whole intervals from the epoch).
 */
export function nextProbeAtMs(
  checkId: string,
  intervalMs: number,
  afterMs: number,
): number {
  const phase = probePhaseMs(checkId, intervalMs);
  const sinceGrid =
    (((afterMs - phase) % intervalMs) + intervalMs) % intervalMs;
  return afterMs - sinceGrid + intervalMs;
}

/**
 * The exclusion group of a check's probes: never two of them at once, on
 * any instance.
 */
export function probeGroup(checkId: string): string {
  return `health:${checkId}`;
}

/** What the per-host limit counts by: the URL's host and port. */
export function probeHostOf(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    return `${parsed.hostname.toLocaleLowerCase('en-US')}:${port}`;
  } catch {
    return 'invalid';
  }
}
