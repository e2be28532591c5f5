import type { Knex } from 'knex';
import type { SucceededChanged } from '../githubDeployments/GithubDeploymentEvents';
import type { EnqueueRequest, JobEnqueuer } from '../../queue/types';
import { adjacentDeploy, succeededProductionDeploys } from './DeployChangeSets';

/** The job that computes one deploy's change set. */
export const DEPLOY_CHANGES = 'deploy-changes';

export interface DeployChangesPayload {
  [key: string]: unknown;
  deployEventId: string;
}

/**
 * One waiting job per deploy (requests coalesce), and one entity's change
 * sets computed one at a time: each reads the deploy before it.
 */
export function deployChangesRequest(deploy: {
  id: string;
  entityRef: string;
}): EnqueueRequest {
  return {
    type: DEPLOY_CHANGES,
    key: `${DEPLOY_CHANGES}:${deploy.id}`,
    group: `${DEPLOY_CHANGES}:${deploy.entityRef}`,
    payload: { deployEventId: deploy.id } satisfies DeployChangesPayload,
  };
}

/**
 * When a deploy became succeeded (or stopped being so, or moved): its
 * change set, and the next succeeded deploy's, whose base it may be now
 * (deploys arrive out of order), are computed again.
 */
export function enqueueDeployChangesAround(
  queue: Pick<JobEnqueuer, 'enqueue'>,
): SucceededChanged {
  return async (trx, deploy) => {
    await queue.enqueue(trx, deployChangesRequest(deploy));
    const next = await adjacentDeploy(trx, deploy, '>');
    if (next) {
      await queue.enqueue(
        trx,
        deployChangesRequest({
          id: String(next.id),
          entityRef: deploy.entityRef,
        }),
      );
    }
  };
}

/**
 * The catch-up: enqueues change sets for succeeded production deploys
 * finished in the last `lookbackMs` that have none, or an unavailable one
 * older than `retryUnavailableMs`; newest first, at most `limit`. Returns
 * how many it enqueued.
 */
export async function enqueueMissingChangeSets(
  knex: Knex,
  queue: Pick<JobEnqueuer, 'enqueue'>,
  options: {
    nowMs: number;
    lookbackMs: number;
    retryUnavailableMs: number;
    limit: number;
  },
): Promise<number> {
  const rows: Array<{ id: string | number; entity_ref: string }> =
    await succeededProductionDeploys(knex)
      .leftJoin(
        'deploy_change_sets',
        'deploy_change_sets.deploy_event_id',
        'deploy_events.id',
      )
      .where(
        'deploy_events.finished_at',
        '>=',
        new Date(options.nowMs - options.lookbackMs),
      )
      .where(missing =>
        missing
          .whereNull('deploy_change_sets.deploy_event_id')
          .orWhere(stale =>
            stale
              .where('deploy_change_sets.status', 'unavailable')
              .where(
                'deploy_change_sets.resolved_at',
                '<',
                new Date(options.nowMs - options.retryUnavailableMs),
              ),
          ),
      )
      .orderBy('deploy_events.finished_at', 'desc')
      .limit(options.limit)
      .select('deploy_events.id', 'deploy_events.entity_ref');
  for (const row of rows) {
    await queue.enqueue(
      knex,
      deployChangesRequest({ id: String(row.id), entityRef: row.entity_ref }),
    );
  }
  return rows.length;
}
