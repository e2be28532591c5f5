import examples from '@octokit/webhooks-examples';

/** GitHub's example `pull_request` `closed` event (PR #2, not merged). */
export const closedPullRequestExample = (
  examples.find(e => e.name === 'pull_request')!.examples as Array<
    Record<string, any>
  >
).find(e => e.action === 'closed')!;

/** The merge fields of a merged PR. */
export const MERGE = {
  merged: true,
  merged_at: '2019-05-15T15:20:40Z',
  merge_commit_sha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
};

/** The example closed PR with these pull_request fields (e.g. {@link MERGE}). */
export const closedPullRequest = (pullRequest: Record<string, unknown>) => ({
  ...closedPullRequestExample,
  pull_request: { ...closedPullRequestExample.pull_request, ...pullRequest },
});
