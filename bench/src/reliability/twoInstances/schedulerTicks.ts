import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { sampleEvery } from './sampleEvery';

/** A run of a scheduled task, as `taskRunProbe.js` recorded it. */
export interface TaskRun {
  instance: string;
  taskId: string;
  scope: string;
  at: number;
}

export function readTaskRuns(file: string): TaskRun[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as TaskRun);
}

/** One cluster-wide task: its ticks, the most runs in one, by instance. */
export interface TaskTicks {
  taskId: string;
  cadence: string;
  ticks: number;
  mostRunsInATick: number;
  runsByInstance: Record<string, number>;
}

/**
 * Follows the plugin's cluster-wide tasks in the scheduler's table (every
 * `intervalMs`): the end of each tick, which is when a run gives its claim
 * back and the task's next run time moves on (`last_run_ended_at`). Each
 * run, on whichever instance, belongs to the first tick ending after it
 * started (or to the tick still running at the end): a tick's claim lets
 * one run at a time, so two runs in one tick mean the claim let a second
 * one in.
 */
export function followTaskTicks(knex: Knex, intervalMs = 100) {
  const ends = new Map<string, Set<number>>();
  const cadences = new Map<string, string>();
  const since = Date.now();
  const sampler = sampleEvery(intervalMs, async () => {
    const rows: Array<{
      id: string;
      settings_json: string;
      last_run_ended_at: Date | null;
    }> = await knex('backstage_backend_tasks__tasks').select(
      'id',
      'settings_json',
      'last_run_ended_at',
    );
    for (const row of rows) {
      cadences.set(row.id, JSON.parse(row.settings_json).cadence);
      const taskEnds = ends.get(row.id) ?? new Set();
      ends.set(row.id, taskEnds);
      if (row.last_run_ended_at) {
        taskEnds.add(new Date(row.last_run_ended_at).getTime());
      }
    }
  });
  return {
    /** Every task's ticks, from the runs the instances recorded. */
    async stop(runs: TaskRun[]): Promise<TaskTicks[]> {
      await sampler.stop();
      return [...cadences].map(([taskId, cadence]) => {
        const tickEnds = [...ends.get(taskId)!].sort((a, b) => a - b);
        const own = runs.filter(
          r => r.taskId === taskId && r.scope === 'global' && r.at >= since,
        );
        const perTick = new Map<number, number>();
        const runsByInstance: Record<string, number> = {};
        for (const run of own) {
          const end = tickEnds.find(at => at >= run.at) ?? Infinity;
          perTick.set(end, (perTick.get(end) ?? 0) + 1);
          runsByInstance[run.instance] =
            (runsByInstance[run.instance] ?? 0) + 1;
        }
        return {
          taskId,
          cadence,
          ticks: perTick.size,
          mostRunsInATick: Math.max(0, ...perTick.values()),
          runsByInstance,
        };
      });
    },
  };
}
