/** The job that sends one entity its weekly digest (Slack and the bell). */
export const WEEKLY_DIGEST_JOB = 'weekly-digest';

/**
 * One entity's digest of one scheduled run. The week is the 7 UTC days
 * before the run's UTC date (`from`..`to`, both inclusive); the previous
 * week, for comparisons, the 7 days before `from`.
 */
export interface WeeklyDigestPayload {
  [key: string]: unknown;
  entityRef: string;
  /** The scheduled instant of the run (ISO, UTC). */
  runAt: string;
  /** ISO dates, UTC. */
  from: string;
  to: string;
}

/** Records per entity and week: `sent_messages` subject and transition. */
export const digestSubject = (entityRef: string) => `digest:${entityRef}`;
export const digestTransition = (from: string) => `week:${from}`;
