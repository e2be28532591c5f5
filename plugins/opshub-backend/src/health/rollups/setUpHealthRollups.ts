import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { HealthConfig } from '../healthConfig';
import {
  type DeletedHealthData,
  deleteExpiredHealthData,
} from './healthRetention';
import { type RolledHours, rollUpHours } from './rollUpHours';

/** The scheduler task's id: one run at a time across instances. */
export const HEALTH_ROLLUPS_TASK = 'opshub-health-rollups';

export interface HealthRollupsDeps {
  knex: Knex;
  config: Pick<HealthConfig, 'sampleRetentionMs'>;
  logger: LoggerService;
  now?: () => number;
}

/**
 * One run: rolls up the hours since the last run, then deletes the raw
 * samples past `opshub.health.sampleRetention` (only hours rolled up)
 * and rollups past 90 days.
 */
export async function runHealthRollups(
  deps: HealthRollupsDeps,
): Promise<{ rolled: RolledHours; deleted: DeletedHealthData }> {
  const nowMs = (deps.now ?? Date.now)();
  const rolled = await rollUpHours(deps.knex, { nowMs });
  const deleted = await deleteExpiredHealthData(deps.knex, {
    nowMs,
    sampleRetentionMs: deps.config.sampleRetentionMs,
    rolledUpBeforeHour: rolled.toHour,
  });
  deps.logger.info(
    `Health rollups: ${rolled.toHour - rolled.fromHour} hours rolled up; ${
      deleted.samples
    } samples, ${deleted.rollups} rollups and ${
      deleted.windows
    } ended maintenance windows past retention deleted`,
  );
  return { rolled, deleted };
}

/** Schedules the hourly rollup and retention run (cluster-wide, once an hour). */
export async function setUpHealthRollups(
  deps: HealthRollupsDeps & { scheduler: SchedulerService },
): Promise<void> {
  await deps.scheduler.scheduleTask({
    id: HEALTH_ROLLUPS_TASK,
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      await runHealthRollups(deps);
    },
  });
}
