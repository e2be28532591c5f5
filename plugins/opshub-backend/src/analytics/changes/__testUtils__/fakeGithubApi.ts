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
          github: [{ host: 'github.com', apiBaseUrl: api.url, token: 'ghp_test' }],
        },
      }),
    );
    return { api, clientFor };
  };
}

/** A commit as GitHub's PR commits and compare APIs list it. */
export const githubCommit = (sha: string, authoredAt = '2026-11-01T00:00:00Z') => ({
  sha,
  commit: {
    message: `commit ${sha}`,
    author: { name: 'Mona', email: 'mona@example.com', date: authoredAt },
    committer: { name: 'Mona', email: 'mona@example.com', date: authoredAt },
  },
});
