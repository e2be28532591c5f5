import type { Knex } from 'knex';
import { GithubDeploymentEvents } from '../../githubDeployments/GithubDeploymentEvents';
import type { SucceededChanged } from '../../githubDeployments/GithubDeploymentEvents';

export const ENTITY = 'component:default/web';
const CREATED_AT = Date.parse('2026-11-30T10:00:00Z');

/**
 * Records GitHub deployments of acme/web to production as the plugin does:
 * `deploy(id, sha, seconds)` succeeds deployment `id` of `sha` that many
 * seconds after 2026-11-30T10:00Z (another `state` fails or cancels it);
 * returns its deploy event id.
 */
export function githubDeploys(knex: Knex, succeededChanged?: SucceededChanged) {
  const events = new GithubDeploymentEvents(knex, { succeededChanged });
  return async (
    deploymentId: number,
    sha: string,
    seconds: number,
    state: 'success' | 'failure' | 'inactive' = 'success',
  ): Promise<string> => {
    const stamp = (s: number) => new Date(CREATED_AT + s * 1000).toISOString();
    await events.record({
      deliveryId: `d-${deploymentId}-${state}`,
      entityRef: ENTITY,
      repository: 'acme/web',
      deployment: {
        id: String(deploymentId),
        sha,
        environment: 'production',
        createdAt: stamp(0),
      },
      status: {
        id: `${deploymentId}-${state}-${seconds}`,
        state,
        createdAt: stamp(seconds),
        url: null,
      },
    });
    const row = await knex('deploy_events')
      .where({ deployment_id: String(deploymentId) })
      .first('id');
    return String(row.id);
  };
}

/** A deploy's change set and commits, as stored. */
export async function changeSetOf(knex: Knex, deployEventId: string) {
  const changeSet = await knex('deploy_change_sets')
    .where('deploy_event_id', deployEventId)
    .first(
      'entity_ref',
      'base_sha',
      'head_sha',
      'status',
      'commit_count',
      'truncated',
    );
  const commits = await knex('deploy_commits')
    .where('deploy_event_id', deployEventId)
    .orderBy('sha')
    .pluck('sha');
  return (
    changeSet && {
      ...changeSet,
      truncated: Boolean(changeSet.truncated),
      commits,
    }
  );
}
