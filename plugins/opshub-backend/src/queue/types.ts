import type { Knex } from 'knex';

export const JOB_STATES = [
  'queued',
  'running',
  'succeeded',
  'dead',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export type JsonObject = { [key: string]: unknown };

export interface Job<TPayload extends JsonObject = JsonObject> {
  id: string;
  type: string;
  key: string | null;
  payload: TPayload;
  state: JobState;
  priority: number;
  /** Attempts started so far, this one included while the job runs. */
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  errorClass: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface EnqueueOptions {
  /**
   * Unique among queued jobs: enqueueing with the key of a job that still
   * waits replaces that job's type, payload and schedule (coalescing). A job
   * already running is never merged into; the new one waits behind it.
   */
  key?: string;
  /** Earliest start; defaults to now. */
  runAt?: Date;
  /** Defaults to the type's `maxAttempts`, else the queue's. */
  maxAttempts?: number;
  /** Higher runs first among due jobs. Default 0. */
  priority?: number;
}

export interface EnqueueRequest extends EnqueueOptions {
  type: string;
  payload: JsonObject;
}

/** What a handler may ask for instead of finishing. */
export type JobHandlerResult = void | {
  /**
   * Run again after this delay without counting an attempt: for following
   * something slow (a provider build) without holding a worker.
   */
  rescheduleInMs: number;
};

export interface JobContext<TPayload extends JsonObject = JsonObject> {
  job: Job<TPayload>;
  /**
   * Aborted when the job's lease is lost (another instance may run it now) or
   * the queue shuts down before the job finished. Check it before writing.
   */
  signal: AbortSignal;
}

/**
 * Handlers run at least once per job and must be idempotent: a crash between
 * a handler's side effects and the job's completion runs it again.
 */
export type JobHandler<TPayload extends JsonObject = JsonObject> = (
  context: JobContext<TPayload>,
) => Promise<JobHandlerResult>;

export interface JobTypeOptions {
  /** Jobs of this type running at once in this instance. */
  concurrency?: number;
  maxAttempts?: number;
}

/**
 * An `INSERT … RETURNING` statement whose inserted row is the condition for
 * enqueueing, such as recording a webhook delivery by its unique id.
 */
export interface InsertStatement {
  sql: string;
  bindings: readonly unknown[];
}

/** The queue's write side, as other capabilities use it. */
export interface JobEnqueuer {
  /**
   * Adds a job inside the caller's transaction (or on its own when given the
   * plain knex), so recording something and enqueueing its work commit
   * together. Returns the job id.
   */
  enqueue(
    trx: Knex | Knex.Transaction,
    request: EnqueueRequest,
  ): Promise<string>;

  /**
   * Runs `insert` and, only when it inserted its row, enqueues `requests`
   * (whose keys must differ), atomically. On PostgreSQL this is a single
   * statement: one round trip and one commit on a hot path.
   */
  enqueueAfterInsert(
    insert: InsertStatement,
    requests: EnqueueRequest[],
  ): Promise<{ inserted: boolean; jobIds: string[] }>;
}
