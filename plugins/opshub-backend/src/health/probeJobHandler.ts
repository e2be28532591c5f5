import type { JobHandler } from '../queue/types';
import type { ResolveHeaders } from './headers/resolveHeaders';
import type { AppliedProbe, ProbeToApply } from './HealthStore';
import type { HostLimiter } from './hostLimiter';
import type { ProbeJobPayload } from './probeJobs';
import type { ProbeRequest, ProbeResult, Prober } from './probe/types';

/**
 * Probes one check once, as the job's payload describes it, and applies
 * the result (the store works out the check's new standing, in a batch
 * with other probes); the job ends once that is committed. `changed` hears
 * of state changes and incidents (the entity's Health card refetches).
 *
 * The payload's headers are templates: their `${env:NAME}` references are
 * resolved here, in memory, for this probe only. A variable that is
 * missing or does not open fails the probe as `blocked` (OpsHub did not
 * send the request), naming the header and variable.
 */
export function probeJobHandler(deps: {
  prober: Prober;
  /** Probes of one host at once in this instance. */
  hosts: HostLimiter;
  resolveHeaders: ResolveHeaders;
  apply(probe: ProbeToApply): Promise<AppliedProbe>;
  changed(entityRef: string): void;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}): JobHandler<ProbeJobPayload> {
  const now = deps.now ?? Date.now;
  return async ({ job, signal }) => {
    const { checkId, version, entityRef } = job.payload;
    // Jobs enqueued before headers and certExpiryDays existed lack them.
    const probe: ProbeRequest = {
      ...job.payload.probe,
      headers: job.payload.probe.headers ?? {},
      certExpiryDays: job.payload.probe.certExpiryDays ?? null,
    };
    const resolved = await deps.resolveHeaders(entityRef ?? '', probe.headers);
    const result =
      'failure' in resolved
        ? notSent(resolved.failure, now())
        : await deps.hosts.run(probe.url, () =>
            deps.prober.probe({ ...probe, headers: resolved.headers }, signal),
          );
    // Lease lost or shutting down: another run of this job records it.
    if (signal.aborted) return;
    const applied = await deps.apply({ checkId, version, result });
    if (applied?.changed) deps.changed(applied.entityRef);
  };
}

/** A probe OpsHub did not send (its headers could not be resolved). */
function notSent(message: string, atMs: number): ProbeResult {
  return {
    outcome: 'failure',
    startedAt: new Date(atMs),
    latencyMs: 0,
    statusCode: null,
    errorClass: 'blocked',
    message,
  };
}
