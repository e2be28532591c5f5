import type { JobErrorClass } from './errors';
import type { Job, JobEnqueuer, JobState } from './types';

/**
 * How a worker's attempt at a job ends. Applied only while the worker still
 * holds that attempt's lease (same worker, same attempt number).
 */
export type Settlement = { id: string; attempts: number } & (
  | { outcome: 'succeeded' }
  | {
      outcome: 'retry';
      runAt: Date;
      error: string;
      errorClass: JobErrorClass;
    }
  | { outcome: 'dead'; error: string; errorClass: JobErrorClass }
  /** Run again later without counting the attempt. */
  | { outcome: 'reschedule'; runAt: Date }
  /**
   * Give the job back unfinished (shutdown), without counting the attempt;
   * due at once, or at `runAt` (a job claimed ahead keeps its run time).
   */
  | { outcome: 'release'; runAt?: Date }
);

export interface ClaimRequest {
  leaseMs: number;
  /** Free slots per registered type. */
  slots: Array<{ type: string; limit: number }>;
  /** Free slots in all; at most this many jobs are claimed. */
  total: number;
  /**
   * Claims queued jobs whose run time is at or before this, so a queue can
   * claim jobs ahead of their run time (they wait in the worker). Default:
   * the time of the claim, i.e. due jobs only.
   */
  dueBefore?: Date;
}

export interface JobCount {
  type: string;
  state: JobState;
  count: number;
}

export interface JobListFilter {
  state?: JobState;
  type?: string;
  limit: number;
  /** Jobs with a smaller id than this (paging, newest first). */
  beforeId?: string;
}

export interface JobStore extends JobEnqueuer {
  /**
   * Applies settlements and claims due jobs in one transaction: one commit
   * for a whole batch, which is what bounds a queue's throughput.
   */
  settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]>;
  /** Extends the leases this worker still holds; returns the ids it holds. */
  extendLeases(
    workerId: string,
    ids: string[],
    leaseMs: number,
  ): Promise<string[]>;
  /**
   * Returns running jobs whose lease expired to the queue (crash recovery),
   * or makes them dead when they used up their attempts.
   */
  recoverExpiredLeases(): Promise<{ requeued: number; dead: number }>;
  /** When the next queued job of these types is due, if any. */
  nextRunAt(types: string[]): Promise<Date | undefined>;

  countByTypeAndState(): Promise<JobCount[]>;
  listJobs(filter: JobListFilter): Promise<Job[]>;
  getJob(id: string): Promise<Job | undefined>;
  /** Queues a dead job again with fresh attempts; NotFound/Conflict otherwise. */
  retryDeadJob(id: string): Promise<Job>;
  /** Cancels a queued job; NotFound/Conflict otherwise. */
  cancelQueuedJob(id: string): Promise<Job>;
  /** Deletes succeeded, dead and cancelled jobs finished before `date`. */
  deleteFinishedBefore(date: Date): Promise<number>;
  /** Releases what the store holds beyond its caller's database client. */
  close(): Promise<void>;
}
