import type { Knex } from 'knex';
import type { HealthCheckSource } from '../../../health/HealthStore';
import { DatabaseHealthStore } from '../../../health/DatabaseHealthStore';
import { newHealthCheck } from '../../../health/__testUtils__/checkFixtures';
import { seedPreview } from '../../../__testUtils__/previews';

/** A health check of `entityRef` (a preview check watches a seeded preview); its id. */
export async function insertCheck(
  knex: Knex,
  entityRef: string,
  name: string,
  source: HealthCheckSource = 'api',
): Promise<number> {
  const previewId =
    source === 'preview'
      ? await seedPreview(knex, { entityRef, prNumber: 1, state: 'ready' })
      : undefined;
  const check = await new DatabaseHealthStore(knex).createCheck(
    newHealthCheck({ entityRef, name, source, previewId }),
  );
  return Number(check.id);
}

/** An incident of check `checkId`; its id. */
export async function insertIncident(
  knex: Knex,
  incident: {
    checkId: number;
    entityRef: string;
    state: 'degraded' | 'down';
    openedAt: string;
    closedAt: string | null;
  },
): Promise<number> {
  const [row] = await knex('health_incidents')
    .insert({
      check_id: incident.checkId,
      entity_ref: incident.entityRef,
      state: incident.state,
      error_class: null,
      opened_at: new Date(incident.openedAt),
      closed_at:
        incident.closedAt === null ? null : new Date(incident.closedAt),
    })
    .returning('id');
  return Number(row.id ?? row);
}

/** A pull request merged into `entityRef`'s repository (commits known by default). */
export async function insertMergedPullRequest(
  knex: Knex,
  pr: {
    entityRef: string;
    prNumber: number;
    mergeCommitSha: string;
    mergedAt: string;
    firstCommitAt: string | null;
    commitsStatus?: 'pending' | 'known' | 'unavailable';
  },
): Promise<void> {
  await knex('merged_pull_requests').insert({
    entity_ref: pr.entityRef,
    repository: 'acme/shop',
    pr_number: pr.prNumber,
    merge_commit_sha: pr.mergeCommitSha,
    merged_at: new Date(pr.mergedAt),
    first_commit_sha: pr.firstCommitAt === null ? null : `first${pr.prNumber}`,
    first_commit_at:
      pr.firstCommitAt === null ? null : new Date(pr.firstCommitAt),
    commits_status: pr.commitsStatus ?? 'known',
    updated_at: new Date(pr.mergedAt),
  });
}

/** The commits deploy `deployEventId` of `entityRef` brought. */
export async function insertDeployCommits(
  knex: Knex,
  deployEventId: string,
  entityRef: string,
  shas: string[],
): Promise<void> {
  await knex('deploy_commits').insert(
    shas.map(sha => ({
      deploy_event_id: deployEventId,
      entity_ref: entityRef,
      sha,
    })),
  );
}
