import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import { pgClientConfig, pgSessionSettings } from '../database/pgClientConfig';
import { PgSessionConnection } from '../database/PgSessionConnection';
import { toDate } from '../database/timestamps';
import { valuesPlaceholders } from '../database/valuesPlaceholders';
import {
  GROUP_IS_FREE,
  type JobRow,
  notOlder,
  rawRows,
  toJob,
} from './jobRows';
import type {
  ClaimRequest,
  JobCount,
  JobListFilter,
  JobStore,
  Settlement,
} from './JobStore';
import { PortableJobClaims } from './PortableJobClaims';
import { PostgresJobClaims } from './PostgresJobClaims';
import { queuedSibling, SUPERSEDED } from './settleJobs';
import type {
  EnqueueRequest,
  GuardedJobs,
  GuardInsert,
  Job,
  JobState,
} from './types';

const DEFAULT_MAX_ATTEMPTS = 5;
/** Rows per insert of enqueueMany: 12 columns each, well under every parameter limit. */
const ENQUEUE_MANY_CHUNK = 500;

/** One requested job in `enqueueGuarded`'s VALUES list, typed for PostgreSQL. */
const REQUESTED_ROW =
  '(?, ?::int, ?, ?, ?, ?, ?, ?::int, ?::int, ?::timestamptz, ?::timestamptz)';

/**
 * Coalescing: the key is unique among queued jobs only (a partial index), so
 * a newer job replaces the one still waiting and never one that runs; one
 * with a lower `order` (an older PR event) replaces nothing. The replaced
 * job keeps its place in the queue (the earlier run time), which also leaves
 * its indexed columns as they were: PostgreSQL then updates the row in place
 * (HOT) without touching an index.
 */
function upsertOnQueuedKey(isPostgres: boolean): string {
  const earlier = isPostgres ? 'LEAST' : 'MIN';
  return `ON CONFLICT ("key") WHERE state = 'queued' DO UPDATE SET
  type = excluded.type, payload = excluded.payload,
  exclusion_group = excluded.exclusion_group, order_key = excluded.order_key,
  priority = excluded.priority, max_attempts = excluded.max_attempts,
  run_at = ${earlier}(jobs.run_at, excluded.run_at),
  updated_at = excluded.updated_at,
  attempts = 0, last_error = NULL, error_class = NULL
  WHERE ${notOlder('excluded', 'jobs')}`;
}

export interface DatabaseJobStoreOptions {
  /**
   * Attempts of a job whose type and request name none
   * (`opshub.queue.maxAttempts`). Default 5.
   */
  maxAttempts?: number;
  /**
   * PostgreSQL: wait for the WAL flush when recording claims and successes.
   * Default false (see PostgresJobClaims); the benchmarks compare both.
   */
  synchronousCommit?: boolean;
}

/**
 * The job queue on the plugin's database: enqueueing with coalescing keys,
 * exclusion groups and order, lease recovery and the admin operations.
 * Claims go through {@link PostgresJobClaims} (`FOR UPDATE SKIP LOCKED`, so
 * any number of instances drain one table) or {@link PortableJobClaims}
 * (SQLite, a single instance). No transaction stays open while a handler
 * runs.
 */
export class DatabaseJobStore implements JobStore {
  private readonly isPostgres: boolean;
  private readonly claims: PostgresJobClaims | PortableJobClaims;
  /** PostgreSQL: where `enqueueGuarded` records (see there). */
  private readonly guardedWrites?: PgSessionConnection;
  /** The coalescing clause for this database, built once. */
  private readonly upsertOnQueuedKey: string;
  private readonly maxAttempts: number;

  constructor(
    private readonly knex: Knex,
    options: DatabaseJobStoreOptions = {},
  ) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.upsertOnQueuedKey = upsertOnQueuedKey(this.isPostgres);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.claims = this.isPostgres
      ? new PostgresJobClaims(knex, {
          synchronousCommit: options.synchronousCommit ?? false,
        })
      : new PortableJobClaims(knex);
    if (this.isPostgres) {
      this.guardedWrites = new PgSessionConnection(
        pgClientConfig(knex),
        pgSessionSettings(knex),
      );
    }
  }

  async enqueue(
    trx: Knex | Knex.Transaction,
    request: EnqueueRequest,
  ): Promise<string> {
    const row = this.toRow(request);
    if (!request.key) {
      const [inserted] = await trx('jobs').insert(row).returning('id');
      return String(inserted.id ?? inserted);
    }
    const insert = trx('jobs').insert(row).toSQL();
    const result = await trx.raw(
      `${insert.sql} ${this.upsertOnQueuedKey} RETURNING id`,
      insert.bindings,
    );
    const [upserted] = rawRows<{ id: string | number }>(result);
    if (upserted) return String(upserted.id);
    // A newer job with this key waits already and stays.
    const waiting = await trx('jobs')
      .where({ key: request.key, state: 'queued' })
      .first('id');
    return String(waiting.id);
  }

  async enqueueMany(
    trx: Knex | Knex.Transaction,
    requests: EnqueueRequest[],
  ): Promise<void> {
    if (requests.some(r => r.key)) {
      throw new Error('enqueueMany takes jobs without keys');
    }
    for (let i = 0; i < requests.length; i += ENQUEUE_MANY_CHUNK) {
      const chunk = requests.slice(i, i + ENQUEUE_MANY_CHUNK);
      await trx('jobs').insert(chunk.map(r => this.toRow(r)));
    }
  }

  async enqueueGuarded(
    insert: GuardInsert,
    entries: GuardedJobs[],
  ): Promise<Map<string, string[]>> {
    if (this.isPostgres) return this.enqueueGuardedPostgres(insert, entries);
    return this.knex.transaction(async trx => {
      const inserted = new Set(
        rawRows<{ guard: string }>(
          await trx.raw(insert.sql, insert.bindings as Knex.RawBinding[]),
        ).map(row => String(row.guard)),
      );
      const jobIds = new Map<string, string[]>();
      for (const { guard, requests } of entries) {
        if (!inserted.has(guard)) continue;
        const ids: string[] = [];
        for (const request of requests)
          ids.push(await this.enqueue(trx, request));
        jobIds.set(guard, ids);
      }
      return jobIds;
    });
  }

  /**
   * One statement: the guard insert, then the jobs of the entries it
   * inserted. Job ids are drawn up front so each request can be matched to
   * its row; requests sharing a key collapse to the newest by order, then the
   * last one (an upsert may not touch a row twice), and take the id of the
   * row the upsert returns, or of the newer job that waits already.
   *
   * It runs on a connection of its own, outside the knex pool, opened on
   * first use and kept: a webhook delivery waits neither for a pooled
   * connection that jobs hold nor for one to be opened (Backstage's pools
   * start empty and let idle connections go, so a burst of deliveries
   * after a quiet spell would otherwise open them first). One statement at
   * a time; the intake's group commit records what arrives meanwhile with
   * the next.
   */
  private async enqueueGuardedPostgres(
    insert: GuardInsert,
    entries: GuardedJobs[],
  ): Promise<Map<string, string[]>> {
    const requests = entries.flatMap(({ guard, requests: r }) =>
      r.map(request => ({ guard, row: this.toRow(request) })),
    );
    const jobs = requests.length
      ? `, requested AS MATERIALIZED (
          SELECT r.*, nextval(pg_get_serial_sequence('jobs', 'id')) AS new_id
          FROM (VALUES ${valuesPlaceholders(requests.length, REQUESTED_ROW)})
            AS r(guard, ord, type, key, exclusion_group, order_key, payload,
                 priority, max_attempts, run_at, created_at)
          WHERE r.guard IN (SELECT guard FROM guard)),
        enqueued AS (
          INSERT INTO jobs (id, type, "key", exclusion_group, order_key, payload,
                            state, priority, attempts, max_attempts, run_at,
                            created_at, updated_at)
          SELECT DISTINCT ON (COALESCE(key, new_id::text))
                 new_id, type, key, exclusion_group, order_key, payload,
                 'queued', priority, 0, max_attempts, run_at,
                 created_at, created_at
          FROM requested
          ORDER BY COALESCE(key, new_id::text), order_key DESC NULLS LAST,
                   ord DESC
          ${this.upsertOnQueuedKey}
          RETURNING id, "key")
        SELECT g.guard, r.ord,
               COALESCE(e.id, waiting.id, r.new_id)::text AS job_id
        FROM guard g
        LEFT JOIN requested r ON r.guard = g.guard
        LEFT JOIN enqueued e ON e.key = r.key
        LEFT JOIN jobs waiting ON waiting.key = r.key
          AND waiting.state = 'queued'`
      : `SELECT guard, NULL AS ord, NULL AS job_id FROM guard`;
    const statement = this.knex.raw(`WITH guard AS (${insert.sql})${jobs}`, [
      ...insert.bindings,
      ...requests.flatMap(({ guard, row }, ord) => [
        guard,
        ord,
        row.type,
        row.key,
        row.exclusion_group,
        row.order_key,
        row.payload,
        row.priority,
        row.max_attempts,
        row.run_at,
        row.created_at,
      ]),
    ] as Knex.RawBinding[]);
    const { sql, bindings } = statement.toSQL().toNative();
    const rows = (
      await this.guardedWrites!.query<{
        guard: string;
        ord: number | null;
        job_id: string | null;
      }>(undefined, sql, bindings as unknown[])
    ).sort((a, b) => (a.ord ?? -1) - (b.ord ?? -1));
    const jobIds = new Map<string, string[]>();
    for (const { guard, job_id: jobId } of rows) {
      const ids = jobIds.get(guard) ?? [];
      if (jobId !== null) ids.push(jobId);
      jobIds.set(guard, ids);
    }
    return jobIds;
  }

  private toRow(request: EnqueueRequest) {
    const now = new Date();
    return {
      type: request.type,
      key: request.key ?? null,
      exclusion_group: request.group ?? null,
      order_key: request.order ?? null,
      payload: JSON.stringify(request.payload),
      state: 'queued',
      priority: request.priority ?? 0,
      attempts: 0,
      max_attempts: request.maxAttempts ?? this.maxAttempts,
      run_at: request.runAt ?? now,
      created_at: now,
      updated_at: now,
    };
  }

  settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]> {
    if (settlements.length === 0 && (!claim || claim.total <= 0)) {
      return Promise.resolve([]);
    }
    return this.claims.settleAndClaim(workerId, settlements, claim);
  }

  /**
   * Closes the claim and intake connections (PostgreSQL); the knex pool is
   * the caller's.
   */
  async close(): Promise<void> {
    await Promise.all([this.claims.close(), this.guardedWrites?.close()]);
  }

  async extendLeases(
    workerId: string,
    ids: string[],
    leaseMs: number,
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const now = new Date();
    const rows = await this.knex('jobs')
      .where({ locked_by: workerId, state: 'running' })
      .whereIn('id', ids)
      .update({ locked_until: new Date(now.getTime() + leaseMs) })
      .returning('id');
    return rows.map(row => String(row.id ?? row));
  }

  async recoverExpiredLeases(): Promise<{ requeued: number; dead: number }> {
    const now = new Date();
    return this.knex.transaction(async trx => {
      const expired = () =>
        trx('jobs').where('state', 'running').where('locked_until', '<', now);
      const dead = await expired().whereRaw('attempts >= max_attempts').update({
        state: 'dead',
        error_class: 'lease-expired',
        last_error: 'The lease expired on the last attempt',
        finished_at: now,
        updated_at: now,
        locked_by: null,
        locked_until: null,
      });
      // Back to the queue, where keys are unique: a waiting job with the
      // same key that is not older supersedes the expired one; an older one
      // gives way to it.
      await expired()
        .whereExists(queuedSibling(trx, 'not-older'))
        .update({ ...SUPERSEDED, finished_at: now, updated_at: now });
      await trx('jobs')
        .where('state', 'queued')
        .whereExists(
          trx('jobs as stale')
            .select(trx.raw('1'))
            .where('stale.state', 'running')
            .where('stale.locked_until', '<', now)
            .whereRaw('stale."key" = jobs."key"'),
        )
        .update({ ...SUPERSEDED, finished_at: now, updated_at: now });
      const requeued = await expired().update({
        state: 'queued',
        run_at: now,
        error_class: 'lease-expired',
        last_error: 'The lease expired before the job finished',
        updated_at: now,
        locked_by: null,
        locked_until: null,
      });
      return { requeued, dead };
    });
  }

  /**
   * When the next queued job of these types is due, if any; jobs whose
   * group has a running job wait for it, and are not due yet.
   */
  async nextRunAt(types: string[]): Promise<Date | undefined> {
    if (types.length === 0) return undefined;
    const row = await this.knex('jobs')
      .min({ next: 'run_at' })
      .where('state', 'queued')
      .whereIn('type', types)
      .whereRaw(GROUP_IS_FREE)
      .first();
    return row?.next ? toDate(row.next) : undefined;
  }

  async countByTypeAndState(): Promise<JobCount[]> {
    const rows = (await this.knex('jobs')
      .select('type', 'state')
      .count({ count: '*' })
      .groupBy('type', 'state')
      .orderBy(['type', 'state'])) as Array<{
      type: string;
      state: string;
      count: string | number;
    }>;
    return rows.map(row => ({
      type: String(row.type),
      state: row.state as JobState,
      count: Number(row.count),
    }));
  }

  async listJobs(filter: JobListFilter): Promise<Job[]> {
    const query = this.knex<JobRow>('jobs')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.state) query.where('state', filter.state);
    if (filter.type) query.where('type', filter.type);
    if (filter.beforeId) query.where('id', '<', filter.beforeId);
    return (await query).map(toJob);
  }

  async getJob(id: string): Promise<Job | undefined> {
    const row = await this.knex<JobRow>('jobs').where('id', id).first();
    return row && toJob(row);
  }

  async retryDeadJob(id: string): Promise<Job> {
    return this.transition(id, 'dead', trx =>
      trx('jobs').where({ id, state: 'dead' }).update({
        state: 'queued',
        attempts: 0,
        run_at: new Date(),
        finished_at: null,
        updated_at: new Date(),
      }),
    );
  }

  async cancelQueuedJob(id: string): Promise<Job> {
    return this.transition(id, 'queued', trx =>
      trx('jobs').where({ id, state: 'queued' }).update({
        state: 'cancelled',
        error_class: 'cancelled',
        finished_at: new Date(),
        updated_at: new Date(),
      }),
    );
  }

  private async transition(
    id: string,
    from: JobState,
    update: (trx: Knex.Transaction) => Promise<number>,
  ): Promise<Job> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError(`No job ${id}`);
    return this.knex.transaction(async trx => {
      const changed = await update(trx);
      const row = await trx<JobRow>('jobs').where('id', id).first();
      if (!row) throw new NotFoundError(`No job ${id}`);
      if (changed === 0) {
        throw new ConflictError(`Job ${id} is ${row.state}, not ${from}`);
      }
      return toJob(row);
    });
  }

  async deleteFinishedBefore(date: Date): Promise<number> {
    return this.knex('jobs')
      .whereIn('state', ['succeeded', 'dead', 'cancelled'])
      .where('finished_at', '<', date)
      .delete();
  }
}
