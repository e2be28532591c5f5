import type { Knex } from 'knex';
import { pgClientConfig, pgSessionSettings } from '../database/pgClientConfig';
import { PgSessionConnection } from '../database/PgSessionConnection';
import { byClaimOrder, GROUP_IS_FREE, type JobRow, toJob } from './jobRows';
import type { ClaimRequest, Settlement } from './JobStore';
import { settleJobs } from './settleJobs';
import type { Job } from './types';

/**
 * PostgreSQL's claim loop runs this one statement: it records the worker's
 * successes ($3, $4: ids and attempt numbers, possibly none) and claims up to
 * $8 jobs due by $10 (now, or later for a queue that claims ahead), each type
 * ($6) up to its own limit ($7), at most one per exclusion group and none of
 * a group that has a running job. One
 * statement, one shape, so it is prepared and planned once per connection;
 * the claim is `id = ANY(ARRAY(...))`, which a generic plan turns into index
 * lookups. The claim does not see the completions (one snapshot): a group
 * freed by them is claimed on the next round.
 *
 * $9 is `synchronous_commit` for this transaction: 'off' by default (no wait
 * for the WAL flush, which otherwise bounds how fast one worker drains the
 * queue). Losing the last of these in a database crash is harmless: a lost
 * claim leaves the job queued, a lost outcome leaves it leased until the
 * lease expires, and either way it runs again, as at-least-once delivery
 * allows. Enqueues stay durable.
 */
const COMPLETE_AND_CLAIM = `
WITH commit_mode AS MATERIALIZED (
  SELECT set_config('synchronous_commit', $9, true)
), completed AS (
  UPDATE jobs SET state = 'succeeded', finished_at = $1, updated_at = $1,
    locked_by = NULL, locked_until = NULL
  FROM commit_mode
  WHERE locked_by = $2 AND state = 'running'
    AND (id, attempts) IN (SELECT * FROM unnest($3::bigint[], $4::int[]))
)
UPDATE jobs SET state = 'running', locked_by = $2, locked_until = $5,
  attempts = attempts + 1, updated_at = $1
FROM commit_mode
WHERE id = ANY(ARRAY(
  SELECT id FROM (
    SELECT c.id, c.priority, c.run_at, row_number() OVER (
      PARTITION BY COALESCE(c.exclusion_group, c.id::text)
      ORDER BY c.priority DESC, c.run_at, c.id) AS nth_of_group
    FROM unnest($6::text[], $7::int[]) AS s(type, lim)
    CROSS JOIN LATERAL (
      SELECT id, priority, run_at, exclusion_group FROM jobs
      WHERE state = 'queued' AND type = s.type AND run_at <= $10
        AND ${GROUP_IS_FREE}
      ORDER BY priority DESC, run_at, id
      LIMIT s.lim
      FOR UPDATE SKIP LOCKED
    ) c
  ) candidates
  WHERE nth_of_group = 1
  ORDER BY priority DESC, run_at, id
  LIMIT $8
))
RETURNING jobs.*`;

/** The unique index that holds "one running job per exclusion group". */
const RUNNING_GROUP_INDEX = 'jobs_running_group_unique';

/**
 * Two instances claiming jobs of one group at the same moment: the later
 * commit breaks the running-group index and its statement fails whole.
 * Run again, it sees the other's claim and skips that group.
 */
const GROUP_RACE_RETRIES = 5;

/**
 * Claims on PostgreSQL, on a connection of the queue's own (outside the
 * knex pool) through one prepared statement, with `FOR UPDATE SKIP LOCKED`
 * so any number of instances drain one table.
 */
export class PostgresJobClaims {
  private readonly connection: PgSessionConnection;

  constructor(
    private readonly knex: Knex,
    private readonly options: { synchronousCommit: boolean },
  ) {
    this.connection = new PgSessionConnection(
      pgClientConfig(knex),
      pgSessionSettings(knex),
    );
  }

  /**
   * Failures, reschedules and releases (rare) settle first in a transaction
   * of their own; then successes and the claim in one statement. Repeating
   * either after an error is harmless: an outcome applies only while the
   * worker still holds that attempt's lease.
   */
  async settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]> {
    const others = settlements.filter(s => s.outcome !== 'succeeded');
    if (others.length > 0) {
      await this.knex.transaction(trx => settleJobs(trx, workerId, others));
    }
    const succeeded = settlements.filter(s => s.outcome === 'succeeded');
    const slots = claim?.slots.filter(s => s.limit > 0) ?? [];
    const total = slots.length > 0 ? claim?.total ?? 0 : 0;
    if (succeeded.length === 0 && total <= 0) return [];
    for (let attempt = 1; ; attempt++) {
      const now = new Date();
      try {
        const rows = await this.connection.query<JobRow>(
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
            this.options.synchronousCommit ? 'on' : 'off',
            claim?.dueBefore ?? now,
          ],
        );
        return rows.sort(byClaimOrder).map(toJob);
      } catch (error) {
        const raced =
          (error as { constraint?: string }).constraint === RUNNING_GROUP_INDEX;
        if (!raced || attempt >= GROUP_RACE_RETRIES) throw error;
      }
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
