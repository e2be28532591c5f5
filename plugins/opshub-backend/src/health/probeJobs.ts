import type { ProbeRequest } from './probe/types';

/** The job that probes one check once; its payload. */
export const HEALTH_PROBE_JOB = 'health-probe';

export interface ProbeJobPayload {
  [key: string]: unknown;
  checkId: string;
  /**
   * The check's entity, whose variables its headers' `${env:NAME}`
   * references read; absent in jobs enqueued before headers existed.
   */
  entityRef?: string;
  /** The due time the job was enqueued for (its runAt), epoch ms. */
  dueAtMs: number;
  /**
   * The check's updatedAt (epoch ms) when the probe was scheduled: its
   * result is ignored if the check changed since.
   */
  version: number;
  /**
   * What to probe, as the check said when the probe was scheduled; its
   * headers are templates (no secrets are ever stored in a job).
   */
  probe: ProbeRequest;
}
