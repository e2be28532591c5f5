import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import type { JobEnqueuer } from '../../queue/types';
import type { DigestConfig } from '../analyticsConfig';
import { digestEntityRefs } from './digestEntities';
import { digestWeek, latestDigestRunAtOrBefore } from './digestRuns';
import { WEEKLY_DIGEST_JOB, type WeeklyDigestPayload } from './types';

/** The scheduler task that looks for a due digest run every minute. */
export const WEEKLY_DIGEST_TASK = 'opshub-weekly-digest';
/** digest_schedule's one row. */
const SCHEDULE_ID = WEEKLY_DIGEST_JOB;
/** A run found later than this (the backend was down) is not sent. */
const MISSED_AFTER_MS = 24 * 60 * 60 * 1000;

export interface DigestScheduleDeps {
  knex: Knex;
  queue: Pick<JobEnqueuer, 'enqueue'>;
  config: DigestConfig;
  logger: LoggerService;
}

/** What one look at the schedule did. */
export type DigestScheduleOutcome =
  | { outcome: 'started' }
  | { outcome: 'not-due' }
  | { outcome: 'missed'; runAt: string }
  | { outcome: 'claimed-elsewhere'; runAt: string }
  | { outcome: 'enqueued'; runAt: string; entityRefs: string[] };

/**
 * Schedules the weekly digest (when enabled): every minute, cluster-wide,
 * {@link runDigestSchedule}. Backstage's scheduler reads cron in UTC only,
 * so the task polls and OpsHub computes the runs in the configured zone.
 */
export async function setUpDigestSchedule(
  deps: DigestScheduleDeps & {
    scheduler: SchedulerService;
    now?: () => number;
  },
): Promise<void> {
  const { config, logger } = deps;
  if (!config.enabled) {
    logger.info(
      'The weekly digest is off (opshub.analytics.digest.enabled: false)',
    );
    return;
  }
  const now = deps.now ?? Date.now;
  await deps.scheduler.scheduleTask({
    id: WEEKLY_DIGEST_TASK,
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    fn: async () => {
      await runDigestSchedule(deps, now());
    },
  });
}

/**
 * Handles the latest scheduled run not handled yet, if one is due: the
 * first look only records now (no digest for runs before OpsHub was
 * installed); a run found more than 24 hours late is recorded without
 * sending; otherwise one transaction claims the run (compare-and-set on
 * the last run handled, so of two instances one wins and a restart finds
 * nothing to do) and enqueues one job per active entity, keyed by entity
 * and week so that a second enqueue coalesces.
 */
export async function runDigestSchedule(
  deps: DigestScheduleDeps,
  nowMs: number,
): Promise<DigestScheduleOutcome> {
  const { knex, queue, config, logger } = deps;
  const row = await knex('digest_schedule')
    .where({ id: SCHEDULE_ID })
    .first('last_run_at');
  if (!row) {
    await knex('digest_schedule')
      .insert({
        id: SCHEDULE_ID,
        last_run_at: new Date(nowMs),
        updated_at: new Date(nowMs),
      })
      .onConflict('id')
      .ignore();
    return { outcome: 'started' };
  }
  const lastRunAt = toDate(row.last_run_at);
  const runAtMs = latestDigestRunAtOrBefore(
    config.cron,
    config.timeZone,
    nowMs,
    lastRunAt.getTime(),
  );
  if (runAtMs === undefined) return { outcome: 'not-due' };
  const runAt = new Date(runAtMs).toISOString();

  return knex.transaction(async trx => {
    const claimed = await trx('digest_schedule')
      .where({ id: SCHEDULE_ID, last_run_at: lastRunAt })
      .update({ last_run_at: new Date(runAtMs), updated_at: new Date(nowMs) });
    if (claimed === 0) return { outcome: 'claimed-elsewhere', runAt };
    if (nowMs - runAtMs > MISSED_AFTER_MS) {
      logger.warn(
        `The weekly digest due at ${runAt} was not sent: OpsHub found it more than 24 hours late (the backend was down)`,
      );
      return { outcome: 'missed', runAt };
    }
    const week = digestWeek(runAtMs);
    const entityRefs = await digestEntityRefs(trx, week);
    for (const entityRef of entityRefs) {
      const payload: WeeklyDigestPayload = { entityRef, runAt, ...week };
      await queue.enqueue(trx, {
        type: WEEKLY_DIGEST_JOB,
        key: `${WEEKLY_DIGEST_JOB}:${entityRef}:${week.from}`,
        payload,
      });
    }
    logger.info(
      `Weekly digest of ${week.from}..${week.to}: ${entityRefs.length} entities queued`,
    );
    return { outcome: 'enqueued', runAt, entityRefs };
  });
}
