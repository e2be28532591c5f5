import examples from '@octokit/webhooks-examples';
import { planDelivery } from '../../webhooks/planDelivery';
import { RECORD_MERGED_PR } from './mergedPullRequestJobs';

const closedExample = examples
  .find(e => e.name === 'pull_request')!
  .examples.find(e => e.action === 'closed') as Record<string, any>;
const ENTITY = 'component:default/hello-world';
const OTHER = 'component:default/other';

/** GitHub's example closed PR, merged (or not) with these fields. */
const closed = (pullRequest: Record<string, unknown>) => ({
  ...closedExample,
  pull_request: { ...closedExample.pull_request, ...pullRequest },
});
const MERGED = {
  merged: true,
  merged_at: '2019-05-15T15:20:40Z',
  merge_commit_sha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
};

describe('planning merged pull requests', () => {
  it('plans a merged PR as its teardown jobs and one record-merged-pr job per entity', () => {
    const jobs = planDelivery('d-1', 'pull_request', closed(MERGED)).jobsFor([
      ENTITY,
      OTHER,
    ]);
    expect(jobs.map(job => job.type)).toEqual([
      'teardown-preview',
      'teardown-preview',
      RECORD_MERGED_PR,
      RECORD_MERGED_PR,
    ]);
    expect(jobs[2]).toEqual({
      type: RECORD_MERGED_PR,
      key: `merged-pr:${ENTITY}#2`,
      group: `merged-pr:${ENTITY}#2`,
      payload: {
        entityRef: ENTITY,
        repository: 'Codertocat/Hello-World',
        prNumber: 2,
        mergeCommitSha: MERGED.merge_commit_sha,
        mergedAt: MERGED.merged_at,
      },
    });
    expect(jobs[3].key).toBe(`merged-pr:${OTHER}#2`);
  });

  it('keeps the preview jobs of a merged PR as they are', () => {
    const unmerged = planDelivery('d-1', 'pull_request', closed({}));
    const merged = planDelivery('d-1', 'pull_request', closed(MERGED));
    const [teardown] = merged.jobsFor([ENTITY]);
    expect(teardown).toEqual({
      ...unmerged.jobsFor([ENTITY])[0],
      payload: {
        ...unmerged.jobsFor([ENTITY])[0].payload,
        pullRequest: {
          ...(unmerged.jobsFor([ENTITY])[0].payload.pullRequest as object),
          merged: true,
        },
      },
    });
  });

  it.each([
    ['a closed PR that was not merged', closed({})],
    [
      'a merged PR without a merge commit',
      closed({ ...MERGED, merge_commit_sha: null }),
    ],
    [
      'a merged PR with a malformed merged_at',
      closed({ ...MERGED, merged_at: 'yesterday' }),
    ],
    [
      'a label change on a merged PR',
      { ...closed(MERGED), action: 'labeled', label: { name: 'x' } },
    ],
  ])('records nothing for %s, its preview jobs planned still', (_, payload) => {
    const jobs = planDelivery('d-1', 'pull_request', payload).jobsFor([ENTITY]);
    expect(jobs.map(job => job.type)).toEqual(['teardown-preview']);
  });
});
