import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  backoffDelayMs,
  errorClassOf,
  errorMessageOf,
  JobPermanentError,
  JobRetryLaterError,
} from './errors';
import {
  AdaptiveConcurrency,
  eventLoopUtilizationMeter,
} from './AdaptiveConcurrency';
import type { ClaimRequest, JobStore, Settlement } from './JobStore';
import type { JobWakeups } from './wakeups';
import type {
  EnqueueRequest,
  GuardedJobs,
  GuardInsert,
  Job,
  JobEnqueuer,
  JobHandler,
  JobTypeOptions,
  JsonObject,
} from './types';

export interface JobQueueOptions {
  /** Jobs running at once in this instance. */
  concurrency: number;
  /** How long a claim holds a job before another instance may take it. */
  leaseMs: number;
  /** Polling, the fallback when no wake-up arrives. */
  pollIntervalMs: number;
  /** How often expired leases are returned to the queue. */
  recoveryIntervalMs: number;
  /** Retry backoff: full jitter up to min(cap, base * 2^(attempt - 1)). */
  backoff: { baseMs: number; capMs: number };
  /** On shutdown, how long in-flight jobs may finish before being released. */
  shutdownGraceMs: number;
  /** Per job type, jobs running at once in this instance; overrides handlers' own. */
  typeConcurrency: Record<string, number>;
  /**
   * Claims jobs up to this long before their run time; 0 (default) claims
   * due jobs only. A job claimed early waits in this instance and its handler
   * starts at its run time, never before. While it waits it counts as
   * running: it holds a concurrency slot, heartbeats keep its lease, it does
   * not start once the lease is lost, and stop() gives it back unrun. An idle
   * loop wakes when the next job is half this window away, so each claim
   * takes about half a window of jobs: for many jobs due at exact, evenly
   * spread times (health probes), a few statements instead of one per job.
   * Set `concurrency` for the jobs of a whole window.
   */
  claimAheadMs?: number;
  /**
   * Holds finished jobs' outcomes up to this long so that one statement
   * records many; 0 (default) records each at once. The held outcomes go
   * with the next claim (when a job becomes due), or on their own once the
   * oldest has waited this long; a completion alone starts no round unless
   * the last claim filled every free slot (due jobs may wait for the one it
   * frees). stop() records everything held.
   */
  settleDelayMs?: number;
  /**
   * Runs fewer jobs at once, down to one, while this process's event loop
   * is busier than this share of the time (see {@link AdaptiveConcurrency});
   * 1 (default) always runs up to `concurrency`.
   */
  maxEventLoopUtilization?: number;
  /** Where that share is read; this process's event loop by default. */
  eventLoopUtilization?: () => number;
}

/** How often the number of jobs run at once follows the event loop. */
const CONCURRENCY_ADJUST_INTERVAL_MS = 250;

export const defaultJobQueueOptions: Required<
  Omit<JobQueueOptions, 'eventLoopUtilization'>
> = {
  concurrency: 4,
  leaseMs: 30_000,
  pollIntervalMs: 2_000,
  recoveryIntervalMs: 10_000,
  backoff: { baseMs: 1_000, capMs: 5 * 60_000 },
  shutdownGraceMs: 10_000,
  typeConcurrency: {},
  claimAheadMs: 0,
  settleDelayMs: 0,
  maxEventLoopUtilization: 1,
};

type Registration = {
  handler: JobHandler<any>;
  concurrency: number;
  maxAttempts?: number;
};

type RunningJob = {
  job: Job;
  controller: AbortController;
  lastLeaseAt: number;
  /** Given back or lost: whatever the handler does next is not recorded. */
  abandoned: boolean;
  /** The handler runs (a job claimed ahead waits for its run time first). */
  started: boolean;
  /** The timer that starts a job claimed ahead at its run time. */
  waiting?: NodeJS.Timeout;
};

/** Gives a job back; one claimed ahead of its run time keeps it. */
function releaseOf(job: Job): Settlement {
  return {
    id: job.id,
    attempts: job.attempts,
    outcome: 'release',
    ...(job.runAt.getTime() > Date.now() && { runAt: job.runAt }),
  };
}

/**
 * Runs registered handlers for the jobs in a {@link JobStore}: claims due
 * jobs with a lease, keeps leases alive while handlers run, records each
 * outcome (success, retry with backoff, dead, reschedule) and batches those
 * records with the next claim, so one commit serves several jobs.
 */
export class JobQueue implements JobEnqueuer {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(
    0,
    8,
  )}`;
  private readonly registrations = new Map<string, Registration>();
  private readonly running = new Map<string, RunningJob>();
  private readonly pending: Settlement[] = [];
  private readonly options: typeof defaultJobQueueOptions;
  private readonly concurrency: AdaptiveConcurrency;
  private loop?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  /** Wakes the loop to record held outcomes (settleDelayMs). */
  private settleTimer?: NodeJS.Timeout;
  /** The last round took every free slot: due jobs may be waiting. */
  private slotsFull = false;
  /** Job types enqueued here since the last claim, which this instance took on. */
  private promised: string[] = [];
  private stopping = false;
  private woken = false;
  private signal?: () => void;
  /** Called whenever a job finishes, while stop() waits for the rest. */
  private onIdle?: () => void;

  constructor(
    private readonly store: JobStore,
    private readonly logger: LoggerService,
    options: Partial<JobQueueOptions> = {},
    private readonly wakeups?: JobWakeups,
  ) {
    const { eventLoopUtilization, ...rest } = options;
    this.options = { ...defaultJobQueueOptions, ...rest };
    this.concurrency = new AdaptiveConcurrency(
      this.options.concurrency,
      this.options.maxEventLoopUtilization,
      eventLoopUtilization ?? eventLoopUtilizationMeter(),
    );
  }

  register<TPayload extends JsonObject>(
    type: string,
    handler: JobHandler<TPayload>,
    options: JobTypeOptions = {},
  ): void {
    if (this.registrations.has(type)) {
      throw new Error(`A handler for job type '${type}' is already registered`);
    }
    if (this.loop) {
      throw new Error(`Register '${type}' before the queue starts`);
    }
    this.registrations.set(type, {
      handler,
      concurrency:
        this.options.typeConcurrency[type] ??
        options.concurrency ??
        this.options.concurrency,
      maxAttempts: options.maxAttempts,
    });
  }

  async enqueue(
    trx: Knex | Knex.Transaction,
    request: EnqueueRequest,
  ): Promise<string> {
    const id = await this.store.enqueue(trx, this.withDefaults(request));
    this.afterCommit(trx, [request.type]);
    return id;
  }

  /** Wakes the queues once `trx` commits (at once for the plain knex). */
  private afterCommit(trx: Knex | Knex.Transaction, types: string[]): void {
    const transaction = (trx as Knex.Transaction).executionPromise;
    if (transaction) {
      transaction.then(() => this.enqueued(types)).catch(() => {});
    } else {
      this.enqueued(types);
    }
  }

  async enqueueMany(
    trx: Knex | Knex.Transaction,
    requests: EnqueueRequest[],
  ): Promise<void> {
    if (requests.length === 0) return;
    await this.store.enqueueMany(
      trx,
      requests.map(r => this.withDefaults(r)),
    );
    this.afterCommit(
      trx,
      requests.map(r => r.type),
    );
  }

  async enqueueGuarded(
    insert: GuardInsert,
    entries: GuardedJobs[],
  ): Promise<Map<string, string[]>> {
    const jobIds = await this.store.enqueueGuarded(
      insert,
      entries.map(({ guard, requests }) => ({
        guard,
        requests: requests.map(r => this.withDefaults(r)),
      })),
    );
    const types = entries
      .filter(({ guard }) => (jobIds.get(guard)?.length ?? 0) > 0)
      .flatMap(({ requests }) => requests.map(r => r.type));
    if (types.length > 0) this.enqueued(types);
    return jobIds;
  }

  private withDefaults(request: EnqueueRequest): EnqueueRequest {
    return {
      ...request,
      maxAttempts:
        request.maxAttempts ??
        this.registrations.get(request.type)?.maxAttempts,
    };
  }

  /**
   * Jobs are committed: wake this instance, and tell the others when it has
   * no free slot for them all. Telling every instance of every job would
   * wake them all to claim, and all but one to find nothing: work that
   * competes with the webhooks they answer.
   */
  private enqueued(types: string[]): void {
    this.wake();
    if (!this.takesOn(types)) this.wakeups?.announce(types);
  }

  /**
   * Whether this instance's free slots take all of these jobs, besides
   * those it took on since its last claim.
   */
  private takesOn(types: string[]): boolean {
    if (!this.loop || this.stopping) return false;
    const claim = this.claimRequest();
    const wanted = [...this.promised, ...types];
    if (!claim || wanted.length > claim.total) return false;
    const room = new Map(claim.slots.map(slot => [slot.type, slot.limit]));
    for (const type of wanted) {
      const left = room.get(type) ?? 0;
      if (left <= 0) return false;
      room.set(type, left - 1);
    }
    this.promised = wanted;
    return true;
  }

  /** Asks the loop to look for due jobs now. */
  wake(): void {
    this.woken = true;
    this.signal?.();
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.runLoop();
    const every = (ms: number, fn: () => Promise<unknown>) =>
      this.timers.push(
        setInterval(() => {
          fn().catch(error =>
            this.logger.warn(`Job queue maintenance failed: ${error}`),
          );
        }, ms),
      );
    every(Math.max(50, Math.floor(this.options.leaseMs / 3)), () =>
      this.heartbeat(),
    );
    every(this.options.recoveryIntervalMs, () => this.recoverExpiredLeases());
    if (this.options.maxEventLoopUtilization < 1) {
      every(CONCURRENCY_ADJUST_INTERVAL_MS, async () => {
        if (this.concurrency.adjust(this.running.size)) this.wake();
      });
    }
    this.wakeups?.start(() => this.wake(), new Set(this.registrations.keys()));
  }

  /**
   * Stops claiming, lets in-flight jobs finish within the grace period and
   * gives the rest back to the queue for another instance (or the next
   * start) to run.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.wakeups?.stop();
    this.wake();
    await this.loop;

    for (const run of this.running.values()) {
      if (!run.started) this.release(run);
    }
    const inFlight = [...this.running.values()];
    if (inFlight.length > 0) {
      await Promise.race([
        this.idle(),
        new Promise(resolve =>
          setTimeout(resolve, this.options.shutdownGraceMs).unref(),
        ),
      ]);
    }
    for (const run of this.running.values()) this.release(run);
    await this.flush();
  }

  /** Gives a job back to the queue unfinished, without counting the attempt. */
  private release(run: RunningJob): void {
    clearTimeout(run.waiting);
    run.abandoned = true;
    run.controller.abort(new Error('The job queue is shutting down'));
    this.running.delete(run.job.id);
    this.pending.push(releaseOf(run.job));
  }

  private async runLoop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      this.promised = [];
      const claim = this.claimRequest();
      const settlements = this.takePending();
      let claimed: Job[] = [];
      try {
        claimed = await this.store.settleAndClaim(
          this.workerId,
          settlements,
          claim,
        );
      } catch (error) {
        this.pending.unshift(...settlements);
        this.logger.warn(`Job queue could not claim or settle: ${error}`);
        await this.waitForSignal(this.options.pollIntervalMs);
        continue;
      }
      if (this.stopping) {
        // Claimed while stopping: give them straight back.
        for (const job of claimed) this.pending.push(releaseOf(job));
        break;
      }
      claimed.forEach(job => this.runJob(job));

      const mayHaveMore = claim !== undefined && claimed.length === claim.total;
      this.slotsFull = claim === undefined || mayHaveMore;
      const settleNow =
        this.pending.length > 0 && this.options.settleDelayMs <= 0;
      if (this.woken || settleNow || mayHaveMore) continue;
      await this.waitForSignal(
        claim ? await this.idleDelay() : this.options.pollIntervalMs,
      );
    }
  }

  private claimRequest(): ClaimRequest | undefined {
    const free = this.concurrency.limit - this.running.size;
    if (free <= 0 || this.registrations.size === 0) return undefined;
    const runningByType = new Map<string, number>();
    for (const { job } of this.running.values()) {
      runningByType.set(job.type, (runningByType.get(job.type) ?? 0) + 1);
    }
    const slots = [...this.registrations].map(([type, reg]) => ({
      type,
      limit: Math.min(free, reg.concurrency - (runningByType.get(type) ?? 0)),
    }));
    const open = slots.filter(s => s.limit > 0);
    if (open.length === 0) return undefined;
    const { claimAheadMs } = this.options;
    return {
      leaseMs: this.options.leaseMs,
      slots: open,
      total: free,
      ...(claimAheadMs > 0 && {
        dueBefore: new Date(Date.now() + claimAheadMs),
      }),
    };
  }

  /**
   * Until the next known due job, at most one poll interval. Claiming
   * ahead, until that job is half the window away: waking when it enters
   * the window would claim jobs spread evenly in time one round each.
   */
  private async idleDelay(): Promise<number> {
    try {
      const next = await this.store.nextRunAt([...this.registrations.keys()]);
      if (!next) return this.options.pollIntervalMs;
      const lead = this.options.claimAheadMs / 2;
      return Math.max(
        0,
        Math.min(
          this.options.pollIntervalMs,
          next.getTime() - lead - Date.now(),
        ),
      );
    } catch {
      return this.options.pollIntervalMs;
    }
  }

  private waitForSignal(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.signal = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.signal = done;
    });
  }

  private runJob(job: Job): void {
    const run: RunningJob = {
      job,
      controller: new AbortController(),
      lastLeaseAt: Date.now(),
      abandoned: false,
      started: false,
    };
    this.running.set(job.id, run);
    this.startAtRunAt(run);
  }

  /**
   * Starts the handler, or for a job claimed ahead waits for its run time
   * (timers may fire a little early, so it checks again), unless the job
   * was given back or lost its lease meanwhile.
   */
  private startAtRunAt(run: RunningJob): void {
    if (run.abandoned || this.stopping) return;
    const wait = run.job.runAt.getTime() - Date.now();
    if (this.options.claimAheadMs > 0 && wait > 0) {
      run.waiting = setTimeout(() => this.startAtRunAt(run), wait);
      return;
    }
    run.started = true;
    this.startHandler(run);
  }

  private startHandler(run: RunningJob): void {
    const { job } = run;
    const registration = this.registrations.get(job.type)!;
    registration
      .handler({ job, signal: run.controller.signal })
      .then(
        (result): Settlement =>
          result && typeof result.rescheduleInMs === 'number'
            ? {
                id: job.id,
                attempts: job.attempts,
                outcome: 'reschedule',
                runAt: new Date(Date.now() + result.rescheduleInMs),
              }
            : { id: job.id, attempts: job.attempts, outcome: 'succeeded' },
        error => this.failure(job, error),
      )
      .then(settlement => {
        if (run.abandoned) return;
        this.running.delete(job.id);
        this.settle(settlement);
        this.onIdle?.();
      });
  }

  /**
   * Holds an outcome for the next round; wakes the loop at once without a
   * settle delay or when due jobs may wait for the freed slot, else once
   * the oldest held outcome has waited the delay.
   */
  private settle(settlement: Settlement): void {
    this.pending.push(settlement);
    if (this.options.settleDelayMs <= 0 || this.slotsFull) {
      this.wake();
    } else {
      this.settleTimer ??= setTimeout(() => {
        this.settleTimer = undefined;
        this.wake();
      }, this.options.settleDelayMs);
    }
  }

  /** The held outcomes, for a round to record. */
  private takePending(): Settlement[] {
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    return this.pending.splice(0);
  }

  private failure(job: Job, error: unknown): Settlement {
    const errorClass = errorClassOf(error);
    const message = errorMessageOf(error);
    this.logger.warn(
      `Job ${job.id} (${job.type}) attempt ${job.attempts}/${job.maxAttempts} failed: ${message}`,
    );
    if (error instanceof JobPermanentError || job.attempts >= job.maxAttempts) {
      return {
        id: job.id,
        attempts: job.attempts,
        outcome: 'dead',
        error: message,
        errorClass,
      };
    }
    const delay =
      error instanceof JobRetryLaterError
        ? error.retryAfterMs
        : backoffDelayMs(job.attempts, this.options.backoff);
    return {
      id: job.id,
      attempts: job.attempts,
      outcome: 'retry',
      runAt: new Date(Date.now() + delay),
      error: message,
      errorClass,
    };
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    const now = Date.now();
    let held: Set<string>;
    try {
      held = new Set(
        await this.store.extendLeases(this.workerId, ids, this.options.leaseMs),
      );
    } catch (error) {
      // Unreachable database: once a lease may have run out, stop trusting it.
      for (const run of this.running.values()) {
        if (now - run.lastLeaseAt >= this.options.leaseMs) this.abandon(run);
      }
      throw error;
    }
    for (const id of ids) {
      const run = this.running.get(id);
      if (!run) continue;
      if (held.has(id)) run.lastLeaseAt = now;
      else this.abandon(run);
    }
  }

  private abandon(run: RunningJob): void {
    this.logger.warn(
      `Job ${run.job.id} (${run.job.type}) lost its lease; its outcome will not be recorded`,
    );
    clearTimeout(run.waiting);
    run.abandoned = true;
    run.controller.abort(new Error('The job lost its lease'));
    this.running.delete(run.job.id);
    this.wake();
  }

  private async recoverExpiredLeases(): Promise<void> {
    const { requeued, dead } = await this.store.recoverExpiredLeases();
    if (requeued + dead > 0) {
      this.logger.info(
        `Job queue recovered expired leases: ${requeued} queued again, ${dead} dead`,
      );
      this.wake();
    }
  }

  /** Resolves once no job runs; used by stop(). */
  private idle(): Promise<void> {
    return new Promise(resolve => {
      const check = () => {
        if (this.running.size === 0) {
          this.onIdle = undefined;
          resolve();
        }
      };
      this.onIdle = check;
      check();
    });
  }

  private async flush(): Promise<void> {
    const settlements = this.takePending();
    if (settlements.length === 0) return;
    try {
      await this.store.settleAndClaim(this.workerId, settlements);
    } catch (error) {
      // The leases run out and other instances take the jobs over.
      this.logger.warn(`Job queue could not record outcomes on stop: ${error}`);
    }
  }
}
