import { ConfigReader } from '@backstage/config';
import { startFakeGithub } from './testUtils/startFakeGithub';
import { githubClientsFromConfig } from './githubClients';

describe('githubClientsFromConfig', () => {
  it('calls the integration’s API with its token, one client for every repository it covers', async () => {
    const github = await startFakeGithub();
    try {
      const clientFor = githubClientsFromConfig(
        new ConfigReader({
          integrations: {
            github: [
              { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_one' },
            ],
          },
        }),
      );
      const web = await clientFor('acme/web');
      const again = await clientFor('acme/web');
      const other = await clientFor('acme/other');
      expect(again).toBe(web);
      expect(other).toBe(web);

      await web.rest.repos.createCommitStatus({
        owner: 'acme',
        repo: 'web',
        sha: 'a'.repeat(40),
        state: 'pending',
      });
      expect(github.requests).toHaveLength(1);
      expect(github.requests[0].headers.authorization).toBe('token ghp_one');

      // Another factory (another config) has clients of its own.
      const elsewhere = githubClientsFromConfig(
        new ConfigReader({
          integrations: {
            github: [
              { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_two' },
            ],
          },
        }),
      );
      const second = await elsewhere('acme/web');
      expect(second).not.toBe(web);
      await second.rest.repos.createCommitStatus({
        owner: 'acme',
        repo: 'web',
        sha: 'a'.repeat(40),
        state: 'pending',
      });
      expect(github.requests[1].headers.authorization).toBe('token ghp_two');
    } finally {
      await github.close();
    }
  });
});
