import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { toDate } from '../../database/timestamps';
import type { GithubClientFor } from '../../github/githubClients';
import { createTestDatabases } from '../../__testUtils__/databases';
import { fakeGithubApis, githubCommit } from './__testUtils__/fakeGithubApi';
import type { RecordMergedPrPayload } from './mergedPullRequestJobs';
import { recordMergedPullRequestHandler } from './recordMergedPullRequest';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const startGithub = fakeGithubApis();
const COMMITS = 'GET /repos/:owner/:repo/pulls/:number/commits';

const pr: RecordMergedPrPayload = {
  entityRef: 'component:default/web',
  repository: 'acme/web',
  prNumber: 7,
  mergeCommitSha: 'm'.repeat(40),
  mergedAt: '2026-11-20T12:00:00Z',
};

async function run(knex: Knex, clientFor?: GithubClientFor) {
  await recordMergedPullRequestHandler({ knex, clientFor })({
    job: { payload: pr } as any,
    signal: new AbortController().signal,
  });
}

async function rows(knex: Knex) {
  return (await knex('merged_pull_requests')).map(row => ({
    ...row,
    merged_at: toDate(row.merged_at),
    first_commit_at:
      row.first_commit_at === null ? null : toDate(row.first_commit_at),
    updated_at: toDate(row.updated_at),
  }));
}

describe.each(databases.eachSupportedId())(
  'recording merged pull requests on %s',
  id => {
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
    });
    beforeEach(async () => {
      await knex('merged_pull_requests').delete();
    });

    it('records the PR with its first commit: the earliest author date, wherever it is in the list', async () => {
      const { api, clientFor } = await startGithub();
      api.route(COMMITS, () => ({
        body: [
          githubCommit('b'.repeat(40), '2026-11-18T09:00:00Z'),
          githubCommit('a'.repeat(40), '2026-11-17T08:30:00+02:00'),
          githubCommit('c'.repeat(40), '2026-11-19T09:00:00Z'),
        ],
      }));
      await run(knex, clientFor);
      expect(await rows(knex)).toEqual([
        {
          entity_ref: pr.entityRef,
          repository: 'acme/web',
          pr_number: 7,
          merge_commit_sha: pr.mergeCommitSha,
          merged_at: new Date(pr.mergedAt),
          first_commit_sha: 'a'.repeat(40),
          first_commit_at: new Date('2026-11-17T06:30:00Z'),
          commits_status: 'known',
          updated_at: expect.any(Date),
        },
      ]);
      expect(
        api.requests.map(r => [
          r.path,
          r.query.get('per_page'),
          r.query.get('page'),
          r.headers.authorization,
        ]),
      ).toEqual([
        ['/repos/acme/web/pulls/7/commits', '100', '1', 'token ghp_test'],
      ]);
    });

    it('is idempotent: a redelivery keeps one row and does not read the commits again', async () => {
      const { api, clientFor } = await startGithub();
      api.route(COMMITS, () => ({ body: [githubCommit('a'.repeat(40))] }));
      await run(knex, clientFor);
      const [recorded] = await rows(knex);
      await run(knex, clientFor);
      expect(await rows(knex)).toEqual([recorded]);
      expect(api.requests).toHaveLength(1);
    });

    it.each([404, 403])(
      'records the commits as unavailable when GitHub answers %s',
      async status => {
        const { api, clientFor } = await startGithub();
        api.route(COMMITS, () => ({
          status,
          body: { message: 'Not Found' },
        }));
        await run(knex, clientFor);
        expect(await rows(knex)).toEqual([
          expect.objectContaining({
            commits_status: 'unavailable',
            first_commit_sha: null,
            first_commit_at: null,
          }),
        ]);
      },
    );

    it('throws on a server error (the queue retries), the PR recorded as pending; the retry completes it', async () => {
      const { api, clientFor } = await startGithub();
      api.route(COMMITS, () => ({ body: [githubCommit('a'.repeat(40))] }));
      api.answerOnce(COMMITS, {
        status: 502,
        body: { message: 'Bad Gateway' },
      });
      await expect(run(knex, clientFor)).rejects.toMatchObject({ status: 502 });
      expect(await rows(knex)).toEqual([
        expect.objectContaining({ commits_status: 'pending' }),
      ]);
      await run(knex, clientFor);
      expect(await rows(knex)).toEqual([
        expect.objectContaining({
          commits_status: 'known',
          first_commit_sha: 'a'.repeat(40),
        }),
      ]);
    });

    it('takes a rate limit for a retry later, not a refusal', async () => {
      const { api, clientFor } = await startGithub();
      api.route(COMMITS, () => ({
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'retry-after': '30' },
        body: { message: 'API rate limit exceeded' },
      }));
      await expect(run(knex, clientFor)).rejects.toMatchObject({
        name: 'JobRetryLaterError',
        retryAfterMs: 30_000,
      });
    });

    it('records the commits as unavailable without credentials, asking GitHub nothing', async () => {
      const { api } = await startGithub();
      await run(knex, undefined);
      expect(await rows(knex)).toEqual([
        expect.objectContaining({
          merge_commit_sha: pr.mergeCommitSha,
          commits_status: 'unavailable',
        }),
      ]);
      expect(api.requests).toEqual([]);
    });
  },
);
