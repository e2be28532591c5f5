import { ConfigReader } from '@backstage/config';
import type { Octokit } from '@octokit/rest';
import { startFakeGithub } from './testUtils/startFakeGithub';
import { githubClientsFromConfig } from './githubClients';

/** Clients for one `integrations.github` entry with `token`, on `apiBaseUrl`. */
function clientsWithToken(apiBaseUrl: string, token: string) {
  return githubClientsFromConfig(
    new ConfigReader({
      integrations: { github: [{ host: 'github.com', apiBaseUrl, token }] },
    }),
  );
}

function setPending(client: Octokit) {
  return client.rest.repos.createCommitStatus({
    owner: 'acme',
    repo: 'web',
    sha: 'a'.repeat(40),
    state: 'pending',
  });
}

describe('githubClientsFromConfig', () => {
  it('calls the integration’s API with its token, one client for every repository it covers', async () => {
    const github = await startFakeGithub();
    try {
      const clientFor = clientsWithToken(github.url, 'ghp_one');
      const web = await clientFor('acme/web');
      const again = await clientFor('acme/web');
      const other = await clientFor('acme/other');
      expect(again).toBe(web);
      expect(other).toBe(web);

      await setPending(web);
      expect(github.requests).toHaveLength(1);
      expect(github.requests[0].headers.authorization).toBe('token ghp_one');

      // Another factory (another config) has clients of its own.
      const second = await clientsWithToken(github.url, 'ghp_two')('acme/web');
      expect(second).not.toBe(web);
      await setPending(second);
      expect(github.requests[1].headers.authorization).toBe('token ghp_two');
    } finally {
      await github.close();
    }
  });
});
