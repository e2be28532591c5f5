import type { EnqueueRequest } from '../../queue/types';

/** The job that records one merged pull request of an entity. */
export const RECORD_MERGED_PR = 'record-merged-pr';

/** A merged pull request, as its `closed` webhook tells. */
export interface PullRequestMerge {
  /** `owner/name` */
  repository: string;
  prNumber: number;
  mergeCommitSha: string;
  /** ISO timestamp. */
  mergedAt: string;
}

/** What a `record-merged-pr` job knows of the pull request. */
export interface RecordMergedPrPayload extends PullRequestMerge {
  [key: string]: unknown;
  entityRef: string;
}

/**
 * One `record-merged-pr` job per entity acting on the repository: a
 * redelivery coalesces with the job still waiting, and one PR's jobs never
 * run at once.
 */
export function mergedPullRequestJobs(
  entityRefs: string[],
  pr: PullRequestMerge,
): EnqueueRequest[] {
  return entityRefs.map(entityRef => {
    const key = `merged-pr:${entityRef}#${pr.prNumber}`;
    return {
      type: RECORD_MERGED_PR,
      key,
      group: key,
      payload: { entityRef, ...pr } satisfies RecordMergedPrPayload,
    };
  });
}
