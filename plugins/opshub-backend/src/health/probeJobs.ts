import type { ProbeRequest } from './probe/types';

/** The job that probes one check once; its payload. */
export const HEALTH_PROBE_JOB = 'health-probe';

export interface ProbeJobPayload {
  [key: string]: unknown;
  checkId: string;
  /** The due time the job was enqueued for (its runAt), epoch ms. */
  dueAtMs: number;
  /**
   * The check's updatedAt (epoch ms) when the probe was scheduled: its
   * result is ignored if the check changed since.
   */
  version: number;
  /** What to probe, as the check said when the probe was scheduled. */
  probe: ProbeRequest;
}
