import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { JobQueue } from '../../queue/JobQueue';
import type { JobEnqueuer } from '../../queue/types';
import { updateDailyDeployStats } from './updateDailyDeployStats';

/** The job that brings daily_deploy_stats up to date. */
export const DEPLOY_STATS_JOB = 'deploy-stats';
/** The scheduler task that enqueues it every hour (cluster-wide). */
export const DEPLOY_STATS_TASK = 'opshub-deploy-stats';

/**
 * Asks for the daily stats to be brought up to date, in the writer's
 * transaction (after a batch of new or changed deploy events). One key and
 * one group: requests coalesce while the job waits, and one run at a time.
 */
export function enqueueDeployStats(
  queue: Pick<JobEnqueuer, 'enqueue'>,
  trx: Knex | Knex.Transaction,
): Promise<string> {
  return queue.enqueue(trx, {
    type: DEPLOY_STATS_JOB,
    key: DEPLOY_STATS_JOB,
    group: DEPLOY_STATS_JOB,
    payload: {},
  });
}

/**
 * Registers the deploy-stats job (the incremental update of the days of
 * events written since the last run) and schedules an hourly task that
 * enqueues it, so that every run goes through the job: never two at once.
 */
export async function setUpDeployStats(deps: {
  knex: Knex;
  scheduler: SchedulerService;
  queue: Pick<JobQueue, 'register' | 'enqueue'>;
  logger: LoggerService;
  now?: () => number;
}): Promise<void> {
  const { knex, queue, logger } = deps;
  const now = deps.now ?? Date.now;
  queue.register(
    DEPLOY_STATS_JOB,
    async () => {
      const run = await updateDailyDeployStats(knex, { nowMs: now() });
      logger.info(
        `Daily deploy stats: ${
          run.days === 'all' ? 'every day' : `${run.days} entity days`
        } recomputed`,
      );
    },
    { concurrency: 1, maxAttempts: 5 },
  );
  await deps.scheduler.scheduleTask({
    id: DEPLOY_STATS_TASK,
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 2 },
    fn: async () => {
      await enqueueDeployStats(queue, knex);
    },
  });
}
