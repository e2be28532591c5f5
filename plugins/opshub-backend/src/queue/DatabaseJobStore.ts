import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import { pgClientConfig, pgSessionSettings } from '../database/pgClientConfig';
import { PgSessionConnection } from '../database/PgSessionConnection';
import { toDate } from '../database/timestamps';
import { valuesPlaceholders } from '../database/valuesPlaceholders';
import type {
  ClaimRequest,
  JobCount,
  JobListFilter,
  JobStore,
  Settlement,
} from './JobStore';
import type {
  EnqueueRequest,
  GuardedJobs,
  GuardInsert,
  Job,
  JobState,
} from './types';

type Timestamp = Date | string | number;
type JobRow = {
  id: string | number;
  type: string;
  key: string | null;
  payload: string;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: Timestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  error_class: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
};

const DEFAULT_MAX_ATTEMPTS = 5;

/** One requested job in `enqueueGuarded`'s VALUES list, typed for PostgreSQL. */
const REQUESTED_ROW =
  '(?, ?::int, ?, ?, ?, ?::int, ?::int, ?::timestamptz, ?::timestamptz)';

/**
 * PostgreSQL's claim loop runs this one statement: it records the worker's
 * successes ($3, $4: ids and attempt numbers, possibly none) and claims up to
 * $8 due jobs, each type ($6) up to its own limit ($7). One statement, one
 * shape, so it is prepared and planned once per connection; the claim is
 * `id = ANY(ARRAY(...))`, which a generic plan turns into index lookups.
 * The claim does not see the completions (one snapshot); it needs not.
 *
 * It commits asynchronously (no wait for the WAL flush, which otherwise
 * bounds how fast one worker drains the queue). Losing the last of these in
 * a database crash is harmless: a lost claim leaves the job queued, a lost
 * outcome leaves it leased until the lease expires, and either way it runs
 * again, as at-least-once delivery allows. Enqueues stay durable.
 */
const COMPLETE_AND_CLAIM = `
WITH async_commit AS MATERIALIZED (
  SELECT set_config('synchronous_commit', 'off', true)
), completed AS (
  UPDATE jobs SET state = 'succeeded', finished_at = $1, updated_at = $1,
    locked_by = NULL, locked_until = NULL
  FROM async_commit
  WHERE locked_by = $2 AND state = 'running'
    AND (id, attempts) IN (SELECT * FROM unnest($3::bigint[], $4::int[]))
)
UPDATE jobs SET state = 'running', locked_by = $2, locked_until = $5,
  attempts = attempts + 1, updated_at = $1
FROM async_commit
WHERE id = ANY(ARRAY(
  SELECT c.id FROM unnest($6::text[], $7::int[]) AS s(type, lim)
  CROSS JOIN LATERAL (
    SELECT id, priority, run_at FROM jobs
    WHERE state = 'queued' AND type = s.type AND run_at <= $1
    ORDER BY priority DESC, run_at, id
    LIMIT s.lim
    FOR UPDATE SKIP LOCKED
  ) c
  ORDER BY c.priority DESC, c.run_at, c.id
  LIMIT $8
))
RETURNING jobs.*`;

/**
 * Coalescing: the key is unique among queued jobs only (a partial index), so
 * a newer job replaces the one still waiting and never one that runs. The
 * replaced job keeps its place in the queue (the earlier run time), which
 * also leaves its indexed columns as they were: PostgreSQL then updates the
 * row in place (HOT) without touching an index.
 */
function upsertOnQueuedKey(isPostgres: boolean): string {
  const earlier = isPostgres ? 'LEAST' : 'MIN';
  return `ON CONFLICT ("key") WHERE state = 'queued' DO UPDATE SET
  type = excluded.type, payload = excluded.payload,
  priority = excluded.priority, max_attempts = excluded.max_attempts,
  run_at = ${earlier}(jobs.run_at, excluded.run_at),
  updated_at = excluded.updated_at,
  attempts = 0, last_error = NULL, error_class = NULL`;
}

/**
 * The job queue on the plugin's database. PostgreSQL claims with
 * `FOR UPDATE SKIP LOCKED`, so any number of instances drain one table;
 * SQLite serves a single instance. No transaction stays open while a
 * handler runs.
 */
export class DatabaseJobStore implements JobStore {
  private readonly isPostgres: boolean;
  /** PostgreSQL: the claim loop's own connection. */
  private readonly claims?: PgSessionConnection;
  /** The coalescing clause for this database, built once. */
  private readonly upsertOnQueuedKey: string;

  constructor(
    private readonly knex: Knex,
    private readonly defaults: { maxAttempts: number } = {
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
    },
  ) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.upsertOnQueuedKey = upsertOnQueuedKey(this.isPostgres);
    if (this.isPostgres) {
      this.claims = new PgSessionConnection(
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
    return String(rawRows<{ id: string | number }>(result)[0].id);
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
   * its row; requests sharing a key collapse to the last one (an upsert may
   * not touch a row twice) and take the id of the row the upsert returns.
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
            AS r(guard, ord, type, key, payload, priority, max_attempts, run_at, created_at)
          WHERE r.guard IN (SELECT guard FROM guard)),
        enqueued AS (
          INSERT INTO jobs (id, type, "key", payload, state, priority, attempts,
                            max_attempts, run_at, created_at, updated_at)
          SELECT DISTINCT ON (COALESCE(key, new_id::text))
                 new_id, type, key, payload, 'queued', priority, 0,
                 max_attempts, run_at, created_at, created_at
          FROM requested
          ORDER BY COALESCE(key, new_id::text), ord DESC
          ${this.upsertOnQueuedKey}
          RETURNING id, "key")
        SELECT g.guard, r.ord, COALESCE(e.id, r.new_id)::text AS job_id
        FROM guard g
        LEFT JOIN requested r ON r.guard = g.guard
        LEFT JOIN enqueued e ON e.key = r.key`
      : `SELECT guard, NULL AS ord, NULL AS job_id FROM guard`;
    const result = await this.knex.raw(`WITH guard AS (${insert.sql})${jobs}`, [
      ...insert.bindings,
      ...requests.flatMap(({ guard, row }, ord) => [
        guard,
        ord,
        row.type,
        row.key,
        row.payload,
        row.priority,
        row.max_attempts,
        row.run_at,
        row.created_at,
      ]),
    ] as Knex.RawBinding[]);
    const rows = rawRows<{
      guard: string;
      ord: number | null;
      job_id: string | null;
    }>(result).sort((a, b) => (a.ord ?? -1) - (b.ord ?? -1));
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
      payload: JSON.stringify(request.payload),
      state: 'queued',
      priority: request.priority ?? 0,
      attempts: 0,
      max_attempts: request.maxAttempts ?? this.defaults.maxAttempts,
      run_at: request.runAt ?? now,
      created_at: now,
      updated_at: now,
    };
  }

  async settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]> {
    if (settlements.length === 0 && (!claim || claim.total <= 0)) return [];
    if (!this.claims) {
      return this.knex.transaction(async trx => {
        await this.settle(trx, workerId, settlements);
        if (!claim || claim.total <= 0) return [];
        return (await this.claimSqlite(trx, workerId, claim)).map(toJob);
      });
    }
    // PostgreSQL: failures, reschedules and releases (rare) in a transaction
    // of their own first; then successes and the claim in one statement.
    // Repeating either after an error is harmless: an outcome applies only
    // while the worker still holds that attempt's lease.
    const others = settlements.filter(s => s.outcome !== 'succeeded');
    if (others.length > 0) {
      await this.knex.transaction(trx => this.settle(trx, workerId, others));
    }
    const succeeded = settlements.filter(s => s.outcome === 'succeeded');
    const slots = claim?.slots.filter(s => s.limit > 0) ?? [];
    const total = slots.length > 0 ? claim?.total ?? 0 : 0;
    if (succeeded.length === 0 && total <= 0) return [];
    const now = new Date();
    const rows = await this.claims.query<JobRow>(
      'opshub_complete_and_claim',
      COMPLETE_AND_CLAIM,
      [
        now,
        workerId,
        succeeded.map(s => s.id),
        succeeded.map(s => s.attempts),
        new Date(now.getTime() + (claim?.leaseMs ?? 0)),
        slots.map(s => s.type),
        slots.map(s => s.limit),
        total,
      ],
    );
    return rows.sort(byClaimOrder).map(toJob);
  }

  /** Closes the claim connection (PostgreSQL); the knex pool is the caller's. */
  async close(): Promise<void> {
    await this.claims?.close();
  }

  private async settle(
    trx: Knex.Transaction,
    workerId: string,
    settlements: Settlement[],
  ): Promise<void> {
    const now = new Date();
    const held = (attempts: number) =>
      trx('jobs').where({ locked_by: workerId, state: 'running', attempts });
    // Successes in one statement per attempt number (almost always one).
    const succeeded = new Map<number, string[]>();
    for (const s of settlements) {
      if (s.outcome !== 'succeeded') continue;
      succeeded.set(s.attempts, [...(succeeded.get(s.attempts) ?? []), s.id]);
    }
    for (const [attempts, ids] of succeeded) {
      await held(attempts).whereIn('id', ids).update({
        state: 'succeeded',
        finished_at: now,
        updated_at: now,
        locked_by: null,
        locked_until: null,
      });
    }
    for (const s of settlements) {
      switch (s.outcome) {
        case 'succeeded':
          break;
        case 'dead':
          await held(s.attempts).where('id', s.id).update({
            state: 'dead',
            last_error: s.error,
            error_class: s.errorClass,
            finished_at: now,
            updated_at: now,
            locked_by: null,
            locked_until: null,
          });
          break;
        case 'retry':
          await this.requeue(trx, workerId, s, {
            run_at: s.runAt,
            last_error: s.error,
            error_class: s.errorClass,
          });
          break;
        case 'reschedule':
          await this.requeue(trx, workerId, s, {
            run_at: s.runAt,
            attempts: trx.raw('attempts - 1'),
          });
          break;
        case 'release':
          await this.requeue(trx, workerId, s, {
            run_at: now,
            attempts: trx.raw('attempts - 1'),
          });
          break;
        default:
          throw new Error(`Unknown settlement ${JSON.stringify(s)}`);
      }
    }
  }

  /**
   * Back to the queue, unless a newer job with the same key is already
   * waiting: then this one is superseded and cancelled (the key is unique
   * among queued jobs).
   */
  private async requeue(
    trx: Knex.Transaction,
    workerId: string,
    { id, attempts }: { id: string; attempts: number },
    changes: Record<string, unknown>,
  ): Promise<void> {
    const now = new Date();
    const held = { id, attempts, locked_by: workerId, state: 'running' };
    const superseded = await trx('jobs')
      .where(held)
      .whereExists(queuedSibling(trx))
      .update({
        state: 'cancelled',
        error_class: 'superseded',
        finished_at: now,
        updated_at: now,
        locked_by: null,
        locked_until: null,
      });
    if (superseded > 0) return;
    await trx('jobs')
      .where(held)
      .update({
        ...changes,
        state: 'queued',
        updated_at: now,
        locked_by: null,
        locked_until: null,
      });
  }

  private async claimSqlite(
    trx: Knex.Transaction,
    workerId: string,
    claim: ClaimRequest,
  ): Promise<JobRow[]> {
    const now = new Date();
    const ids: Array<string | number> = [];
    for (const slot of claim.slots) {
      const room = Math.min(slot.limit, claim.total - ids.length);
      if (room <= 0) continue;
      const due = await trx('jobs')
        .select('id')
        .where({ state: 'queued', type: slot.type })
        .where('run_at', '<=', now)
        .orderBy([
          { column: 'priority', order: 'desc' },
          { column: 'run_at' },
          { column: 'id' },
        ])
        .limit(room);
      ids.push(...due.map(row => row.id));
    }
    if (ids.length === 0) return [];
    await trx('jobs')
      .whereIn('id', ids)
      .update({
        state: 'running',
        locked_by: workerId,
        locked_until: new Date(now.getTime() + claim.leaseMs),
        attempts: trx.raw('attempts + 1'),
        updated_at: now,
      });
    const rows: JobRow[] = await trx('jobs').whereIn('id', ids);
    return rows.sort(byClaimOrder);
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
      const released = {
        locked_by: null,
        locked_until: null,
        updated_at: now,
      };
      const dead = await expired()
        .whereRaw('attempts >= max_attempts')
        .update({
          ...released,
          state: 'dead',
          error_class: 'lease-expired',
          last_error: 'The lease expired on the last attempt',
          finished_at: now,
        });
      await expired()
        .whereExists(queuedSibling(trx))
        .update({
          ...released,
          state: 'cancelled',
          error_class: 'superseded',
          finished_at: now,
        });
      const requeued = await expired().update({
        ...released,
        state: 'queued',
        run_at: now,
        error_class: 'lease-expired',
        last_error: 'The lease expired before the job finished',
      });
      return { requeued, dead };
    });
  }

  async nextRunAt(types: string[]): Promise<Date | undefined> {
    if (types.length === 0) return undefined;
    const row = await this.knex('jobs')
      .min({ next: 'run_at' })
      .where('state', 'queued')
      .whereIn('type', types)
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

/** A queued job with the same key as the outer `jobs` row. */
function queuedSibling(trx: Knex.Transaction) {
  return trx('jobs as sibling')
    .select(trx.raw('1'))
    .whereRaw('sibling."key" = jobs."key"')
    .where('sibling.state', 'queued');
}

/** PostgreSQL answers raw queries with `{ rows }`, better-sqlite3 with rows. */
function rawRows<T>(result: unknown): T[] {
  return Array.isArray(result) ? result : (result as { rows: T[] }).rows;
}

function byClaimOrder(a: JobRow, b: JobRow): number {
  return (
    b.priority - a.priority ||
    toDate(a.run_at).getTime() - toDate(b.run_at).getTime() ||
    Number(a.id) - Number(b.id)
  );
}

function toJob(row: JobRow): Job {
  return {
    id: String(row.id),
    type: row.type,
    key: row.key,
    payload: JSON.parse(row.payload),
    state: row.state,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: toDate(row.run_at),
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until === null ? null : toDate(row.locked_until),
    lastError: row.last_error,
    errorClass: row.error_class,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    finishedAt: row.finished_at === null ? null : toDate(row.finished_at),
  };
}
