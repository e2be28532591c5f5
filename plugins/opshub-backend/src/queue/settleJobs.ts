import type { Knex } from 'knex';
import type { Settlement } from './JobStore';
import { notOlder } from './jobRows';

/** How a job that a newer one with its key replaced ends. */
export const SUPERSEDED = {
  state: 'cancelled',
  error_class: 'superseded',
  locked_by: null,
  locked_until: null,
} as const;

/**
 * Applies a worker's settlements in the caller's transaction. Each applies
 * only while the worker still holds that attempt's lease (same worker, same
 * attempt number), so repeating one after an error is harmless.
 */
export async function settleJobs(
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
        await requeue(trx, workerId, s, {
          run_at: s.runAt,
          last_error: s.error,
          error_class: s.errorClass,
        });
        break;
      case 'reschedule':
        await requeue(trx, workerId, s, {
          run_at: s.runAt,
          attempts: trx.raw('attempts - 1'),
        });
        break;
      case 'release':
        await requeue(trx, workerId, s, {
          run_at: s.runAt ?? now,
          attempts: trx.raw('attempts - 1'),
        });
        break;
      default:
        throw new Error(`Unknown settlement ${JSON.stringify(s)}`);
    }
  }
}

/**
 * Back to the queue, where its key is unique among waiting jobs: a waiting
 * job with the same key that is not older supersedes this one (cancelled);
 * an older one gives way to it.
 */
async function requeue(
  trx: Knex.Transaction,
  workerId: string,
  { id, attempts }: { id: string; attempts: number },
  changes: Record<string, unknown>,
): Promise<void> {
  const now = new Date();
  const held = { id, attempts, locked_by: workerId, state: 'running' };
  const superseded = await trx('jobs')
    .where(held)
    .whereExists(queuedSibling(trx, 'not-older'))
    .update({ ...SUPERSEDED, finished_at: now, updated_at: now });
  if (superseded > 0) return;
  const row = await trx('jobs').where(held).first('key');
  if (!row) return;
  if (row.key !== null) {
    await trx('jobs')
      .where({ key: row.key, state: 'queued' })
      .update({ ...SUPERSEDED, finished_at: now, updated_at: now });
  }
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

/**
 * A waiting job with the same key as the outer `jobs` row; `not-older`: one
 * whose order is not lower than the outer row's.
 */
export function queuedSibling(trx: Knex.Transaction, which?: 'not-older') {
  const sibling = trx('jobs as sibling')
    .select(trx.raw('1'))
    .whereRaw('sibling."key" = jobs."key"')
    .where('sibling.state', 'queued');
  return which ? sibling.whereRaw(notOlder('sibling', 'jobs')) : sibling;
}
