import type { JobHandler } from '../queue/types';
import { nextStanding } from './healthStateMachine';
import type { ProbeRecord, StoredHealthCheck } from './HealthStore';
import type { ProbeJobPayload } from './probeJobs';
import type { Prober } from './probe/types';

/**
 * Probes one check once: reads the check (disabled, misconfigured or
 * deleted ones are skipped), probes it, works out its new standing and
 * records the lot; the job ends once that is committed. `changed` hears
 * of state changes (the entity's Health card refetches on them).
 */
export function probeJobHandler(deps: {
  loadCheck(checkId: string): Promise<StoredHealthCheck | undefined>;
  prober: Prober;
  record(record: ProbeRecord): Promise<void>;
  changed(entityRef: string): void;
}): JobHandler<ProbeJobPayload> {
  return async ({ job, signal }) => {
    const check = await deps.loadCheck(job.payload.checkId);
    if (!check || !check.enabled || check.configError) return;
    const result = await deps.prober.probe(
      {
        url: check.url,
        method: check.method,
        timeoutMs: check.timeoutMs,
        expectedStatus: check.expectedStatus,
        bodyContains: check.bodyContains,
        jsonPath: check.jsonPath,
        degradedLatencyMs: check.degradedLatencyMs,
      },
      signal,
    );
    // Lease lost or shutting down: another run of this job records it.
    if (signal.aborted) return;
    const { standing, incident } = nextStanding(check, result, check);
    await deps.record({
      checkId: check.id,
      entityRef: check.entityRef,
      result,
      standing,
      incident,
    });
    if (standing.state !== check.state || incident) {
      deps.changed(check.entityRef);
    }
  };
}
