import { toDate } from '../database/timestamps';
import type { Job, JobState } from './types';

type Timestamp = Date | string | number;

/** A `jobs` row as either database returns it. */
export type JobRow = {
  id: string | number;
  type: string;
  key: string | null;
  exclusion_group: string | null;
  order_key: string | null;
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

/** PostgreSQL answers raw queries with `{ rows }`, better-sqlite3 with rows. */
export function rawRows<T>(result: unknown): T[] {
  return Array.isArray(result) ? result : (result as { rows: T[] }).rows;
}

/** The order in which claimed jobs start: priority, then age, then id. */
export function byClaimOrder(a: JobRow, b: JobRow): number {
  return (
    b.priority - a.priority ||
    toDate(a.run_at).getTime() - toDate(b.run_at).getTime() ||
    Number(a.id) - Number(b.id)
  );
}

export function toJob(row: JobRow): Job {
  return {
    id: String(row.id),
    type: row.type,
    key: row.key,
    group: row.exclusion_group,
    order: row.order_key,
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

/**
 * SQL: the job `a` is not older than `b` by their coalescing order (a job
 * without an order is neither older nor newer than any).
 */
export const notOlder = (a: string, b: string) =>
  `(${a}.order_key IS NULL OR ${b}.order_key IS NULL OR ${a}.order_key >= ${b}.order_key)`;

/**
 * SQL: the outer `jobs` row may run now as far as its exclusion group goes:
 * it has none, or no job of its group is running.
 */
export const GROUP_IS_FREE = `(jobs.exclusion_group IS NULL OR NOT EXISTS (
  SELECT 1 FROM jobs AS running WHERE running.state = 'running'
    AND running.exclusion_group = jobs.exclusion_group))`;
