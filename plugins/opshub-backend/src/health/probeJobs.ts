/** The job that probes one check once; its payload. */
export const HEALTH_PROBE_JOB = 'health-probe';

export interface ProbeJobPayload {
  [key: string]: unknown;
  checkId: string;
  /** The due time the job was enqueued for (its runAt), epoch ms. */
  dueAtMs: number;
}
