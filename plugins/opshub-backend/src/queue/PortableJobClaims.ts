import type { Knex } from 'knex';
import { byClaimOrder, GROUP_IS_FREE, type JobRow, toJob } from './jobRows';
import type { ClaimRequest, Settlement } from './JobStore';
import { settleJobs } from './settleJobs';
import type { Job } from './types';

/**
 * Claims through knex in one transaction with the settlements: for SQLite,
 * whose single writer serves one instance (transactions never overlap, so
 * no row locks are needed).
 */
export class PortableJobClaims {
  constructor(private readonly knex: Knex) {}

  async settleAndClaim(
    workerId: string,
    settlements: Settlement[],
    claim?: ClaimRequest,
  ): Promise<Job[]> {
    return this.knex.transaction(async trx => {
      await settleJobs(trx, workerId, settlements);
      if (!claim || claim.total <= 0) return [];
      return (await this.claim(trx, workerId, claim)).map(toJob);
    });
  }

  private async claim(
    trx: Knex.Transaction,
    workerId: string,
    claim: ClaimRequest,
  ): Promise<JobRow[]> {
    const now = new Date();
    const ids: Array<string | number> = [];
    const groups = new Set<string>();
    for (const slot of claim.slots) {
      const room = Math.min(slot.limit, claim.total - ids.length);
      if (room <= 0) continue;
      const due: Array<Pick<JobRow, 'id' | 'exclusion_group'>> = await trx(
        'jobs',
      )
        .select('id', 'exclusion_group')
        .where({ state: 'queued', type: slot.type })
        .where('run_at', '<=', claim.dueBefore ?? now)
        .whereRaw(GROUP_IS_FREE)
        .orderBy([
          { column: 'priority', order: 'desc' },
          { column: 'run_at' },
          { column: 'id' },
        ])
        .limit(room);
      for (const { id, exclusion_group: group } of due) {
        // One job per group: the first in claim order.
        if (group !== null && groups.has(group)) continue;
        if (group !== null) groups.add(group);
        ids.push(id);
      }
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

  async close(): Promise<void> {}
}
