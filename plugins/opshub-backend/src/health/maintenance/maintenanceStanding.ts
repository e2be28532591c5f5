import type { HealthStanding, IncidentChange } from '../HealthStore';

/**
 * A probe taken in a maintenance window decides nothing: the check is in
 * `maintenance` with no run of probes, and an open incident closes at the
 * probe (what follows was planned).
 */
export function standingInMaintenance(current: HealthStanding): {
  standing: HealthStanding;
  incident: IncidentChange;
} {
  const bad = current.state === 'degraded' || current.state === 'down';
  return {
    standing: {
      state: 'maintenance',
      consecutiveFailures: 0,
      consecutiveBad: 0,
      consecutiveSuccesses: 0,
    },
    incident: bad ? { action: 'close' } : null,
  };
}

/**
 * The standing the first probe after a window starts from: as from
 * `unknown` (a first success is `ok`; failures need the threshold).
 */
export function standingAfterMaintenance(
  current: HealthStanding,
): HealthStanding {
  return current.state === 'maintenance'
    ? { ...current, state: 'unknown' }
    : current;
}
