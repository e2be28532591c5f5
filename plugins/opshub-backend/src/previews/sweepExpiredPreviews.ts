import type { Knex } from 'knex';
import type { JobEnqueuer } from '../queue/types';
import { previewGroup } from './previewJobGroups';
import { DESTROY_PREVIEW, type PreviewIdPayload } from './previewJobHandlers';
import type { PreviewStore } from './PreviewStore';

/** Previews one sweep hands to the queue; the next sweep takes the rest. */
const SWEEP_BATCH = 500;

/**
 * The TTL sweep (a scheduler task): each preview past its TTL gets a
 * destroy-preview job that tears it down as `expired`, unless a push renewed
 * its TTL before the job ran.
 */
export async function sweepExpiredPreviews(deps: {
  knex: Knex;
  previews: PreviewStore;
  queue: JobEnqueuer;
  now?: Date;
}): Promise<number> {
  const expired = await deps.previews.listExpired(
    deps.now ?? new Date(),
    SWEEP_BATCH,
  );
  if (expired.length === 0) return 0;
  await deps.knex.transaction(async trx => {
    for (const preview of expired) {
      await deps.queue.enqueue(trx, {
        type: DESTROY_PREVIEW,
        key: `${DESTROY_PREVIEW}:${preview.id}`,
        group: previewGroup(preview.entityRef, preview.prNumber),
        payload: {
          previewId: preview.id,
          expire: true,
        } satisfies PreviewIdPayload,
      });
    }
  });
  return expired.length;
}
