import type { SentMessages } from '../notifications/SentMessages';
import type { JobStore } from '../queue/JobStore';
import type { DeliveryStore } from '../webhooks/DeliveryStore';

/**
 * Deletes finished jobs and webhook deliveries older than their retention
 * windows, and records of sent messages as old as the oldest finished jobs
 * kept (scheduled hourly by the plugin).
 */
export async function applyRetention(deps: {
  jobs: JobStore;
  deliveries: DeliveryStore;
  sentMessages: SentMessages;
  jobRetentionMs: number;
  deliveryRetentionMs: number;
  now?: number;
}): Promise<{ jobs: number; deliveries: number; sentMessages: number }> {
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
  };
}
