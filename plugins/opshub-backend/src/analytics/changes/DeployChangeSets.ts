import type { Knex } from 'knex';
import type { GithubClientFor } from '../../github/githubClients';
import { toDate } from '../../database/timestamps';
import { compareCommits } from './compareCommits';

/** Commits read per deploy at most; more make its change set truncated. */
export const DEFAULT_MAX_COMMITS = 1000;

/** Rows per insert of a deploy's commits. */
const INSERT_CHUNK = 300;

/** What a deploy's change set says. */
export type ChangeSetStatus = 'resolved' | 'first' | 'unavailable';

interface DeployRow {
  id: string | number;
  entity_ref: string;
  repository: string | null;
  head_sha: string;
  finished_at: Date | string | number | null;
}

/** A succeeded production deploy, where it stands among its entity's. */
export interface DeployPosition {
  id: string;
  entityRef: string;
  finishedAt: Date;
}

/** Succeeded production deploys: the ones DORA counts. */
export function succeededProductionDeploys(knex: Knex | Knex.Transaction) {
  return knex('deploy_events')
    .where('deploy_events.environment_class', 'production')
    .where('deploy_events.outcome', 'succeeded')
    .whereNotNull('deploy_events.finished_at');
}

/**
 * The succeeded production deploy of the entity right before (`'<'`) or
 * after (`'>'`) the given finish: by finished_at, then id.
 */
export function adjacentDeploy(
  knex: Knex | Knex.Transaction,
  deploy: DeployPosition,
  direction: '<' | '>',
): Promise<DeployRow | undefined> {
  const order = direction === '<' ? 'desc' : 'asc';
  return succeededProductionDeploys(knex)
    .where('entity_ref', deploy.entityRef)
    .whereNot('id', deploy.id)
    .where(query =>
      query
        .where('finished_at', direction, deploy.finishedAt)
        .orWhere(same =>
          same
            .where('finished_at', deploy.finishedAt)
            .where('id', direction, deploy.id),
        ),
    )
    .orderBy([
      { column: 'finished_at', order },
      { column: 'id', order },
    ])
    .first('id', 'entity_ref', 'repository', 'head_sha', 'finished_at');
}

/**
 * The commits each succeeded production deploy brought: those between the
 * previous succeeded production deploy of its entity and it (GitHub's
 * compare API in the deploy's repository). The first deploy has nothing to
 * compare with (`first`); a deploy with the previous one's head brought
 * nothing; one GitHub cannot compare (404: a base force-pushed away) is
 * `unavailable`. A deploy that is no longer a succeeded production one
 * loses its change set.
 */
export class DeployChangeSets {
  private readonly maxCommits: number;
  private readonly now: () => Date;

  constructor(
    private readonly knex: Knex,
    private readonly clientFor: GithubClientFor,
    options: { maxCommits?: number; now?: () => Date } = {},
  ) {
    this.maxCommits = options.maxCommits ?? DEFAULT_MAX_COMMITS;
    this.now = options.now ?? (() => new Date());
  }

  /** Computes and stores one deploy's change set; its status, if it has one. */
  async update(deployEventId: string): Promise<ChangeSetStatus | undefined> {
    const deploy: DeployRow | undefined = await succeededProductionDeploys(
      this.knex,
    )
      .where('id', deployEventId)
      .first('id', 'entity_ref', 'repository', 'head_sha', 'finished_at');
    if (!deploy || deploy.finished_at === null) {
      await this.knex.transaction(async trx => {
        for (const table of ['deploy_commits', 'deploy_change_sets']) {
          await trx(table).where('deploy_event_id', deployEventId).delete();
        }
      });
      return undefined;
    }
    const previous = await adjacentDeploy(
      this.knex,
      {
        id: deployEventId,
        entityRef: deploy.entity_ref,
        finishedAt: toDate(deploy.finished_at),
      },
      '<',
    );
    const changeSet = {
      deploy_event_id: deployEventId,
      entity_ref: deploy.entity_ref,
      base_sha: previous?.head_sha ?? null,
      head_sha: deploy.head_sha,
    };
    if (!previous) {
      return this.save({ ...changeSet, status: 'first' }, []);
    }
    if (previous.head_sha === deploy.head_sha) {
      return this.save({ ...changeSet, status: 'resolved' }, []);
    }
    if (!deploy.repository) {
      return this.save({ ...changeSet, status: 'unavailable' }, []);
    }
    const compared = await compareCommits(
      this.clientFor,
      deploy.repository,
      { base: previous.head_sha, head: deploy.head_sha },
      this.maxCommits,
    );
    return compared.status === 'resolved'
      ? this.save(
          { ...changeSet, status: 'resolved', truncated: compared.truncated },
          compared.shas,
        )
      : this.save({ ...changeSet, status: 'unavailable' }, []);
  }

  /** Replaces the deploy's commits and change set at once. */
  private async save(
    changeSet: {
      deploy_event_id: string;
      entity_ref: string;
      base_sha: string | null;
      head_sha: string;
      status: ChangeSetStatus;
      truncated?: boolean;
    },
    shas: string[],
  ): Promise<ChangeSetStatus | undefined> {
    return this.knex.transaction(async trx => {
      const id = changeSet.deploy_event_id;
      // Deleted meanwhile (retention): nothing to keep.
      if (!(await trx('deploy_events').where({ id }).first('id'))) {
        return undefined;
      }
      await trx('deploy_commits').where('deploy_event_id', id).delete();
      for (let i = 0; i < shas.length; i += INSERT_CHUNK) {
        await trx('deploy_commits').insert(
          shas.slice(i, i + INSERT_CHUNK).map(sha => ({
            deploy_event_id: id,
            entity_ref: changeSet.entity_ref,
            sha,
          })),
        );
      }
      await trx('deploy_change_sets')
        .insert({
          truncated: false,
          ...changeSet,
          commit_count: shas.length,
          resolved_at: this.now(),
        })
        .onConflict('deploy_event_id')
        .merge();
      return changeSet.status;
    });
  }
}
