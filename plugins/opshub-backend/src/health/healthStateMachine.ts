import type {
  OpsHubHealthErrorClass,
  OpsHubHealthState,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';
import type { HealthStanding, IncidentChange } from './HealthStore';

export interface HealthThresholds {
  /** Consecutive failures to `down`; consecutive bad probes to `degraded`. */
  failureThreshold: number;
  /** Consecutive successes back to `ok`. */
  recoveryThreshold: number;
}

const BAD: ReadonlySet<OpsHubHealthState> = new Set(['degraded', 'down']);

/**
 * A check's standing after one more probe. The backend README's transition
 * table states these rules; its tests walk every row of it:
 * - `down` once the last `failureThreshold` probes all failed;
 * - else `degraded` once the last `failureThreshold` probes were all
 *   degraded or failed;
 * - else `ok` on a success when the last `recoveryThreshold` probes all
 *   succeeded, or on the first success from `unknown`;
 * - else the state stays.
 * An incident opens on entering `degraded` or `down`, worsens from
 * `degraded` to `down`, and closes on returning to `ok`.
 */
export function nextStanding(
  current: HealthStanding,
  probe: {
    outcome: OpsHubProbeOutcome;
    errorClass: OpsHubHealthErrorClass | null;
  },
  thresholds: HealthThresholds,
): { standing: HealthStanding; incident: IncidentChange } {
  const { outcome } = probe;
  const consecutiveFailures =
    outcome === 'failure' ? current.consecutiveFailures + 1 : 0;
  const consecutiveBad = outcome === 'success' ? 0 : current.consecutiveBad + 1;
  const consecutiveSuccesses =
    outcome === 'success' ? current.consecutiveSuccesses + 1 : 0;

  let state: OpsHubHealthState = current.state;
  if (consecutiveFailures >= thresholds.failureThreshold) {
    state = 'down';
  } else if (consecutiveBad >= thresholds.failureThreshold) {
    state = 'degraded';
  } else if (
    outcome === 'success' &&
    (current.state === 'unknown' ||
      consecutiveSuccesses >= thresholds.recoveryThreshold)
  ) {
    state = 'ok';
  }

  return {
    standing: {
      state,
      consecutiveFailures,
      consecutiveBad,
      consecutiveSuccesses,
    },
    incident: incidentChange(current.state, state, probe.errorClass),
  };
}

function incidentChange(
  from: OpsHubHealthState,
  to: OpsHubHealthState,
  errorClass: OpsHubHealthErrorClass | null,
): IncidentChange {
  if (!BAD.has(from) && (to === 'degraded' || to === 'down')) {
    return { action: 'open', state: to, errorClass };
  }
  if (from === 'degraded' && to === 'down') {
    return { action: 'worsen', state: 'down' };
  }
  if (BAD.has(from) && to === 'ok') return { action: 'close' };
  return null;
}
