import type { Knex } from 'knex';
import {
  aggregateDays,
  type EntityDay,
} from '../analytics/metrics/aggregateDays';
import { utcDayOf } from '../analytics/metrics/deployWindow';
import { toDate } from '../database/timestamps';
import type { SentMessages } from '../notifications/SentMessages';
import type { PreviewStore } from '../previews/PreviewStore';
import type { JobStore } from '../queue/JobStore';
import type { DeliveryStore } from '../webhooks/DeliveryStore';

/**
 * Deletes finished jobs and webhook deliveries older than their retention
 * windows, records of sent messages as old as the oldest finished jobs
 * kept, closes of PRs that had no preview as old as the oldest deliveries
 * kept (an event older than that is not replayed, and GitHub redelivers
 * only the last 3 days), and deploy events (with the commits they brought) and merged pull
 * requests past `opshub.analytics.retention` (scheduled hourly by the
 * plugin).
 */
export async function applyRetention(deps: {
  jobs: JobStore;
  deliveries: DeliveryStore;
  sentMessages: SentMessages;
  /** Closes of PRs that had no preview; kept when absent. */
  previews?: Pick<PreviewStore, 'deleteClosesBefore'>;
  jobRetentionMs: number;
  deliveryRetentionMs: number;
  /**
   * Deploy events and merged pull requests, and their retention; kept
   * forever when absent.
   */
  deployEvents?: { knex: Knex; retentionMs: number };
  now?: number;
}): Promise<{
  jobs: number;
  deliveries: number;
  sentMessages: number;
  pullRequestCloses: number;
  deployEvents: number;
  mergedPullRequests: number;
}> {
  const now = deps.now ?? Date.now();
  return {
    jobs: await deps.jobs.deleteFinishedBefore(
      new Date(now - deps.jobRetentionMs),
    ),
    deliveries: await deps.deliveries.deleteReceivedBefore(
      new Date(now - deps.deliveryRetentionMs),
    ),
    sentMessages: await deps.sentMessages.deleteSentBefore(
      new Date(now - deps.jobRetentionMs),
    ),
    pullRequestCloses:
      (await deps.previews?.deleteClosesBefore(
        new Date(now - deps.deliveryRetentionMs),
      )) ?? 0,
    deployEvents: deps.deployEvents
      ? await deleteDeployEventsBefore(
          deps.deployEvents.knex,
          new Date(now - deps.deployEvents.retentionMs),
        )
      : 0,
    mergedPullRequests: deps.deployEvents
      ? await deps.deployEvents
          .knex('merged_pull_requests')
          .where(
            'merged_at',
            '<',
            new Date(now - deps.deployEvents.retentionMs),
          )
          .where(
            'updated_at',
            '<',
            new Date(now - deps.deployEvents.retentionMs),
          )
          .delete()
      : 0,
  };
}

/**
 * Deletes the deploy events both queued and last changed before `cutoff`:
 * every event is kept at least the retention after it was queued and
 * after its last change (its finish, or a late GitHub status), so a deploy
 * inside the analytics' longest window is never missing from it. The
 * daily stats of the days they leave are recomputed (a day left without
 * events loses its row), so the overview never counts a deleted deploy.
 */
export async function deleteDeployEventsBefore(
  knex: Knex,
  cutoff: Date,
): Promise<number> {
  const expired = () =>
    knex('deploy_events')
      .where('queued_at', '<', cutoff)
      .where('updated_at', '<', cutoff);
  const days = new Map<string, EntityDay>();
  for (const row of await expired().select('entity_ref', 'queued_at')) {
    const day = utcDayOf(toDate(row.queued_at).getTime());
    days.set(`${row.entity_ref} ${day}`, { entityRef: row.entity_ref, day });
  }
  if (days.size === 0) return 0;
  const deleted = await expired().delete();
  await aggregateDays(knex, { days: [...days.values()] });
  return deleted;
}
