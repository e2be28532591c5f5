import { planDelivery } from '../../webhooks/planDelivery';
import { closedPullRequest, MERGE } from './__testUtils__/pullRequestExamples';
import { RECORD_MERGED_PR } from './mergedPullRequestJobs';

const ENTITY = 'component:default/hello-world';
const OTHER = 'component:default/other';

const closed = closedPullRequest;

describe('planning merged pull requests', () => {
  it('plans a merged PR as its teardown jobs and one record-merged-pr job per entity', () => {
    const jobs = planDelivery('d-1', 'pull_request', closed(MERGE)).jobsFor([
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
        mergeCommitSha: MERGE.merge_commit_sha,
        mergedAt: MERGE.merged_at,
      },
    });
    expect(jobs[3].key).toBe(`merged-pr:${OTHER}#2`);
  });

  it('keeps the preview jobs of a merged PR as they are', () => {
    const unmerged = planDelivery('d-1', 'pull_request', closed({}));
    const merged = planDelivery('d-1', 'pull_request', closed(MERGE));
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
      closed({ ...MERGE, merge_commit_sha: null }),
    ],
    [
      'a merged PR with a malformed merged_at',
      closed({ ...MERGE, merged_at: 'yesterday' }),
    ],
    [
      'a label change on a merged PR',
      { ...closed(MERGE), action: 'labeled', label: { name: 'x' } },
    ],
  ])('records nothing for %s, its preview jobs planned still', (_, payload) => {
    const jobs = planDelivery('d-1', 'pull_request', payload).jobsFor([ENTITY]);
    expect(jobs.map(job => job.type)).toEqual(['teardown-preview']);
  });
});
