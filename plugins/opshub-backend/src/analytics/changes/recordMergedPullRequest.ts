import type { Knex } from 'knex';
import type { GithubClientFor } from '../../github/githubClients';
import type { JobHandler } from '../../queue/types';
import { isGithubRefusal } from './githubRefusal';
import type { RecordMergedPrPayload } from './mergedPullRequestJobs';

/** What OpsHub learns of a PR's commits. */
export type FirstCommit =
  | { status: 'known'; sha: string; authoredAt: Date }
  | { status: 'unavailable' };

/**
 * The PR's first commit: the earliest git author date among its commits.
 * GitHub lists a PR's commits oldest first, so the first page holds it.
 * A refusal (404, 403, …) makes it unavailable; a server or network error
 * throws (the queue retries).
 */
export async function readFirstCommit(
  clientFor: GithubClientFor,
  pr: Pick<RecordMergedPrPayload, 'repository' | 'prNumber'>,
): Promise<FirstCommit> {
  const [owner, repo] = pr.repository.split('/');
  try {
    const octokit = await clientFor(pr.repository);
    const { data } = await octokit.rest.pulls.listCommits({
      owner,
      repo,
      pull_number: pr.prNumber,
      per_page: 100,
      page: 1,
    });
    let first: { sha: string; authoredAt: Date } | undefined;
    for (const item of data) {
      const date = item.commit.author?.date;
      const authoredAt = date ? new Date(date) : undefined;
      if (!authoredAt || Number.isNaN(authoredAt.getTime())) continue;
      if (!first || authoredAt < first.authoredAt) {
        first = { sha: item.sha, authoredAt };
      }
    }
    return first ? { status: 'known', ...first } : { status: 'unavailable' };
  } catch (error) {
    if (isGithubRefusal(error)) return { status: 'unavailable' };
    throw error;
  }
}

/**
 * Records a merged pull request of an entity (idempotent: a redelivery
 * updates the same row), then its first commit from GitHub when OpsHub has
 * credentials (`clientFor`); without them, or when GitHub refuses, its
 * commits are `unavailable`. A PR whose first commit is known is not read
 * again.
 */
export function recordMergedPullRequestHandler(deps: {
  knex: Knex;
  clientFor?: GithubClientFor;
  now?: () => Date;
}): JobHandler<RecordMergedPrPayload> {
  const now = deps.now ?? (() => new Date());
  return async ({ job }) => {
    const pr = job.payload;
    const where = {
      entity_ref: pr.entityRef,
      repository: pr.repository,
      pr_number: pr.prNumber,
    };
    const merge = {
      merge_commit_sha: pr.mergeCommitSha,
      merged_at: new Date(pr.mergedAt),
    };
    const known = await deps
      .knex('merged_pull_requests')
      .where({ ...where, commits_status: 'known' })
      .first('merge_commit_sha');
    if (known) {
      if (known.merge_commit_sha !== pr.mergeCommitSha) {
        await deps
          .knex('merged_pull_requests')
          .where(where)
          .update({ ...merge, updated_at: now() });
      }
      return;
    }
    await deps
      .knex('merged_pull_requests')
      .insert({
        ...where,
        ...merge,
        commits_status: 'pending',
        updated_at: now(),
      })
      .onConflict(['entity_ref', 'repository', 'pr_number'])
      .merge(['merge_commit_sha', 'merged_at', 'updated_at']);

    const first: FirstCommit = deps.clientFor
      ? await readFirstCommit(deps.clientFor, pr)
      : { status: 'unavailable' };
    await deps
      .knex('merged_pull_requests')
      .where(where)
      .update({
        commits_status: first.status,
        first_commit_sha: first.status === 'known' ? first.sha : null,
        first_commit_at: first.status === 'known' ? first.authoredAt : null,
        updated_at: now(),
      });
  };
}
