import { probePhaseMs } from './probeSchedule';

/**
 * A new (or changed) check is probed within this much of its creation, at
 * most: checks created together (a catalog sync, a script) spread over it
 * instead of all coming due at once.
 */
export const FIRST_PROBE_SPREAD_MS = 10_000;

/** When a check created or rescheduled at `nowMs` is first probed. */
export function firstProbeAtMs(
  checkId: string,
  intervalMs: number,
  nowMs: number,
): number {
  return (
    nowMs + probePhaseMs(checkId, Math.min(intervalMs, FIRST_PROBE_SPREAD_MS))
  );
}

/** The latest `firstProbeAtMs` of any check: before its id is known. */
export function latestFirstProbeAtMs(intervalMs: number, nowMs: number) {
  return nowMs + Math.min(intervalMs, FIRST_PROBE_SPREAD_MS);
}
