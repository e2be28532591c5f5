import { ConfigReader } from '@backstage/config';
import {
  type FakeProviderApi,
  startFakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import { githubClientsFromConfig } from '../../../github/githubClients';

/**
 * GitHub's REST API on loopback (no routes: a test adds the ones it
 * answers), and the plugin's Octokit clients pointed at it with a token;
 * closed after each test.
 */
export function fakeGithubApis() {
  const open: FakeProviderApi[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map(api => api.close()));
  });
  return async () => {
    const api = await startFakeProviderApi();
    open.push(api);
    const clientFor = githubClientsFromConfig(
      new ConfigReader({
        integrations: {
          github: [
            { host: 'github.com', apiBaseUrl: api.url, token: 'ghp_test' },
          ],
        },
      }),
    );
    return { api, clientFor };
  };
}

/** A commit as GitHub's PR commits and compare APIs list it. */
export const githubCommit = (
  sha: string,
  authoredAt = '2026-11-01T00:00:00Z',
) => ({
  sha,
  commit: {
    message: `commit ${sha}`,
    author: { name: 'Mona', email: 'mona@example.com', date: authoredAt },
    committer: { name: 'Mona', email: 'mona@example.com', date: authoredAt },
  },
});

/** The 40-character sha of commit `n` of a fake linear history. */
export const shaOf = (n: number) => n.toString(16).padStart(40, '0');

/**
 * GitHub's compare API over a linear history of `length` commits
 * (`shaOf(0)` … `shaOf(length - 1)`): `base...head` lists the commits after
 * base up to head, paged by `per_page` and `page`; an unknown sha is 404.
 */
export function routeCompare(api: FakeProviderApi, length: number): void {
  const index = (sha: string) => {
    const n = parseInt(sha, 16);
    return sha === shaOf(n) && n < length ? n : -1;
  };
  api.route(
    'GET /repos/:owner/:repo/compare/:basehead',
    ({ params, query }) => {
      const [base, head] = params.basehead.split('...');
      if (index(base) < 0 || index(head) < 0) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      const commits = [];
      for (let n = index(base) + 1; n <= index(head); n++) {
        commits.push(githubCommit(shaOf(n)));
      }
      const perPage = Number(query.get('per_page') ?? 250);
      const page = Number(query.get('page') ?? 1);
      return {
        body: {
          status: commits.length > 0 ? 'ahead' : 'behind',
          ahead_by: commits.length,
          behind_by: 0,
          total_commits: commits.length,
          commits: commits.slice((page - 1) * perPage, page * perPage),
          files: [],
        },
      };
    },
  );
}
