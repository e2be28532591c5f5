import type { JobHandler } from '../queue/types';
import type { AppliedProbe, ProbeToApply } from './HealthStore';
import type { HostLimiter } from './hostLimiter';
import type { ProbeJobPayload } from './probeJobs';
import type { Prober } from './probe/types';

/**
 * Probes one check once, as the job's payload describes it, and applies
 * the result (the store works out the check's new standing, in a batch
 * with other probes); the job ends once that is committed. `changed` hears
 * of state changes and incidents (the entity's Health card refetches).
 */
export function probeJobHandler(deps: {
  prober: Prober;
  /** Probes of one host at once in this instance. */
  hosts: HostLimiter;
  apply(probe: ProbeToApply): Promise<AppliedProbe>;
  changed(entityRef: string): void;
}): JobHandler<ProbeJobPayload> {
  return async ({ job, signal }) => {
    const { checkId, version, probe } = job.payload;
    const result = await deps.hosts.run(probe.url, () =>
      deps.prober.probe(probe, signal),
    );
    // Lease lost or shutting down: another run of this job records it.
    if (signal.aborted) return;
    const applied = await deps.apply({ checkId, version, result });
    if (applied?.changed) deps.changed(applied.entityRef);
  };
}
