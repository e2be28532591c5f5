import { mockServices } from '@backstage/backend-test-utils';
import { Webhooks } from '@octokit/webhooks';
import type { Knex } from 'knex';
import request from 'supertest';
import { toDate } from '../../database/timestamps';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../../__testUtils__/testBackend';
import { waitFor } from '../../__testUtils__/waitFor';
import { fakeGithubApis, githubCommit } from './__testUtils__/fakeGithubApi';
import {
  closedPullRequest,
  closedPullRequestExample,
  MERGE,
} from './__testUtils__/pullRequestExamples';
import { RECORD_MERGED_PR } from './mergedPullRequestJobs';
import { registerMergedPullRequestJobs } from './setUpDeployChanges';

// Lead time's merged pull requests come from GitHub's `pull_request`
// `closed` webhook, through the real route and intake.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const startGithub = fakeGithubApis();
const ENTITY = 'component:default/hello-world';
const closedExample = closedPullRequestExample;
const MERGE_SHA = MERGE.merge_commit_sha;
const merged = closedPullRequest(MERGE);

describe.each(databases.eachSupportedId())(
  'merged pull requests through POST /webhooks/github on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startOpsHubBackend>>;
    beforeAll(async () => {
      knex = await databases.init(id);
      server = await startOpsHubBackend({ knex });
      await new DatabaseProjectStore(knex).replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'Codertocat/Hello-World',
          location:
            'url:https://github.com/Codertocat/Hello-World/blob/master/catalog-info.yaml',
          verifiedBy: 'location',
        },
      ]);
    });

    let deliveries = 0;
    async function deliver(payload: unknown) {
      const body = JSON.stringify(payload);
      const res = await request(server)
        .post('/api/opshub/webhooks/github')
        .set('Content-Type', 'application/json')
        .set('X-GitHub-Event', 'pull_request')
        .set(
          'X-GitHub-Delivery',
          `d3b10e55-cc78-11e3-81ab-${String(++deliveries).padStart(12, '0')}`,
        )
        .set(
          'X-Hub-Signature-256',
          await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
        )
        .send(body);
      expect(res.status).toBe(202);
      return res.body;
    }

    it('records GitHub’s example PR, merged, with its first commit; an unmerged close records nothing', async () => {
      expect(await deliver(closedExample)).toMatchObject({
        outcome: 'enqueued',
      });
      expect(
        await knex('jobs').where({ type: RECORD_MERGED_PR }).select('id'),
      ).toEqual([]);

      expect(await deliver(merged)).toMatchObject({ outcome: 'enqueued' });
      expect(
        await knex('jobs')
          .where({ type: RECORD_MERGED_PR })
          .select('key', { group: 'exclusion_group' }),
      ).toEqual([
        { key: `merged-pr:${ENTITY}#2`, group: `merged-pr:${ENTITY}#2` },
      ]);

      const { api, clientFor } = await startGithub();
      api.route('GET /repos/:owner/:repo/pulls/:number/commits', () => ({
        body: [
          githubCommit(
            'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
            '2019-05-15T14:00:00Z',
          ),
        ],
      }));
      const store = new DatabaseJobStore(knex);
      const queue = new JobQueue(store, mockServices.logger.mock(), {
        pollIntervalMs: 20,
      });
      registerMergedPullRequestJobs(queue, { knex, clientFor });
      queue.start();
      try {
        const row = await waitFor(
          () =>
            knex('merged_pull_requests')
              .where({ commits_status: 'known' })
              .first(),
          { what: 'the merged pull request' },
        );
        expect({
          ...row,
          merged_at: toDate(row.merged_at),
          first_commit_at: toDate(row.first_commit_at),
          updated_at: undefined,
        }).toEqual({
          entity_ref: ENTITY,
          repository: 'Codertocat/Hello-World',
          pr_number: 2,
          merge_commit_sha: MERGE_SHA,
          merged_at: new Date('2019-05-15T15:20:40Z'),
          first_commit_sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
          first_commit_at: new Date('2019-05-15T14:00:00Z'),
          commits_status: 'known',
          updated_at: undefined,
        });
        expect(api.requests.map(r => r.path)).toEqual([
          '/repos/Codertocat/Hello-World/pulls/2/commits',
        ]);
      } finally {
        await queue.stop();
        await store.close();
      }
    });
  },
);
