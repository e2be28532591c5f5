import { createGroupCommit } from '../database/groupCommit';
import type { AppliedProbe, HealthStore, ProbeToApply } from './HealthStore';

/**
 * Probe results are applied in batches: one transaction for the results
 * that finish within `lingerMs` of each other (at 5,000 checks a minute
 * and 200 ms, some 15 a transaction instead of one each). A probe's
 * promise settles once its batch committed.
 */
export function createProbeRecorder(
  store: HealthStore,
  options: { lingerMs: number },
): (probe: ProbeToApply) => Promise<AppliedProbe> {
  return createGroupCommit<ProbeToApply, AppliedProbe>({
    write: probes => store.applyProbes(probes),
    maxInFlight: 1,
    maxGroupSize: 1_000,
    lingerMs: options.lingerMs,
  });
}
