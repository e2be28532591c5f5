import type { Knex } from 'knex';
import { sampleEvery } from './sampleEvery';

/** What sampling the running jobs saw. */
export interface RunningJobsSample {
  samples: number;
  /**
   * Exclusion groups and coalescing keys seen with two or more running jobs
   * in one sample.
   */
  twice: Set<string>;
  /** Running jobs seen past their lease (another instance may take them). */
  pastLease: number;
  /** Jobs seen running per holder (`host:pid:id`): both instances worked. */
  byHolder: Map<string, number>;
}

/**
 * Reads the running jobs every `intervalMs` until stopped: each one's
 * exclusion group (all of one preview's provider calls share one, its
 * GitHub write-back another, its Slack messages a third) and coalescing
 * key, its holder and its lease.
 */
export function sampleRunningJobs(knex: Knex, intervalMs = 100) {
  const result: RunningJobsSample = {
    samples: 0,
    twice: new Set(),
    pastLease: 0,
    byHolder: new Map(),
  };
  const seen = new Set<string>();
  const seenPastLease = new Set<string>();
  const count = (counts: Map<string, number>, name: string) => {
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    if (n > 1) result.twice.add(name);
  };
  const sampler = sampleEvery(intervalMs, async () => {
    const rows: Array<{
      id: string;
      key: string | null;
      exclusion_group: string | null;
      locked_by: string | null;
      past_lease: boolean;
    }> = await knex('jobs')
      .where('state', 'running')
      .select(
        'id',
        'key',
        'exclusion_group',
        'locked_by',
        knex.raw('locked_until < now() AS past_lease'),
      );
    result.samples += 1;
    const atOnce = new Map<string, number>();
    for (const row of rows) {
      const id = String(row.id);
      if (row.exclusion_group) count(atOnce, `group ${row.exclusion_group}`);
      if (row.key) count(atOnce, `key ${row.key}`);
      if (!seen.has(id)) {
        seen.add(id);
        const holder = row.locked_by ?? '';
        result.byHolder.set(holder, (result.byHolder.get(holder) ?? 0) + 1);
      }
      if (row.past_lease && !seenPastLease.has(id)) {
        seenPastLease.add(id);
        result.pastLease += 1;
      }
    }
  });
  return {
    async stop(): Promise<RunningJobsSample> {
      await sampler.stop();
      return result;
    },
  };
}
