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
  group: string | null;
  order: string | null;
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
   * waits replaces that job's type, payload and schedule (coalescing), unless
   * `order` says the waiting one is newer. A job already running is never
   * merged into; the new one waits behind it.
   */
  key?: string;
  /**
   * Exclusion group: at most one job of a group runs at a time, across
   * instances (the claim skips groups with a running job, and a unique index
   * on running jobs' groups holds it). E.g. every provider call of one
   * preview shares `preview:<entity ref>#<pr number>`.
   */
  group?: string;
  /**
   * Orders coalescing: a waiting job with the same key is replaced only by a
   * job whose `order` is not lower (strings compare byte-wise; a job without
   * one always replaces and is always replaced). PR events use
   * `<updated_at as ISO>|<0, or 1 for closed>`: a later event wins, and at
   * the same stamp a waiting `closed` is never replaced by another action.
   */
  order?: string;
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
 * An `INSERT … ON CONFLICT DO NOTHING RETURNING <unique column> AS guard`
 * of one or more rows: each row it inserts is the condition for enqueueing
 * the jobs of the entry with that guard value, such as recording webhook
 * deliveries by their unique ids.
 */
export interface GuardInsert {
  sql: string;
  bindings: readonly unknown[];
}

/** Jobs to enqueue when the row with this guard value is inserted. */
export interface GuardedJobs {
  guard: string;
  requests: EnqueueRequest[];
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
   * Adds many jobs without keys in the caller's transaction, in multi-row
   * inserts: for a scheduler that enqueues a window of due work at once.
   */
  enqueueMany(
    trx: Knex | Knex.Transaction,
    requests: EnqueueRequest[],
  ): Promise<void>;

  /**
   * Runs `insert` and enqueues the requests of each entry whose guard value
   * it inserted, atomically; on PostgreSQL in a single statement (one round
   * trip, one commit) however many entries. Guard values must differ.
   * Requests with the same key coalesce in entry order: the last one wins
   * and all of them get its job id. Returns the job ids of every entry whose
   * guard was inserted; an entry missing from the map was recorded before.
   */
  enqueueGuarded(
    insert: GuardInsert,
    entries: GuardedJobs[],
  ): Promise<Map<string, string[]>>;
}
