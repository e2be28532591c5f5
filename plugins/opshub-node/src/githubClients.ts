import type { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { fetchWithTimeout, readCallTimeoutMs } from './callTimeouts';

/**
 * Whether some `integrations.github` entry has credentials (a token or a
 * GitHub App) for OpsHub to call GitHub with: write-back of previews, and
 * reading commits for DORA's lead time, scaffolder actions.
 *
 * @public
 */
export function hasGithubCredentials(config: Config): boolean {
  return ScmIntegrations.fromConfig(config)
    .github.list()
    .some(i => Boolean(i.config.token) || (i.config.apps?.length ?? 0) > 0);
}

/**
 * An Octokit for one repository (`owner/name`).
 *
 * @public
 */
export type GithubClientFor = (repository: string) => Promise<Octokit>;

/** Clients kept per factory; past it they are built anew (tokens rotate). */
const MAX_CLIENTS = 100;

/**
 * Octokit clients with Backstage's standard `integrations.github`
 * credentials (a token or a GitHub App installation, whichever the
 * integration has for the repository) and its `apiBaseUrl` (GitHub
 * Enterprise, or a fake on loopback in tests). Each request, answer and body,
 * is bounded by `opshub.queue.callTimeout`: past it, it is aborted and fails
 * with a RequestError caused by a CallTimeoutError.
 *
 * Repositories with the same credentials share one client: building an
 * Octokit (its hundreds of REST methods, hooks and plugins) costs more than
 * most calls made with it. A GitHub App's installation token, once
 * replaced, gets a client of its own; at most `MAX_CLIENTS` are kept.
 *
 * @public
 */
export function githubClientsFromConfig(config: Config): GithubClientFor {
  const integrations = ScmIntegrations.fromConfig(config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const fetch = fetchWithTimeout(readCallTimeoutMs(config), 'GitHub');
  const clients = new Map<string, Octokit>();
  return async repository => {
    const integration =
      integrations.github.byHost('github.com') ?? integrations.github.list()[0];
    if (!integration) {
      throw new Error('No integrations.github entry to write to GitHub with');
    }
    const host = integration.config.host;
    const { token } = await credentials.getCredentials({
      url: `https://${host}/${repository}`,
    });
    const baseUrl = integration.config.apiBaseUrl ?? 'https://api.github.com';
    const key = `${baseUrl} ${token ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= MAX_CLIENTS) clients.clear();
      client = new Octokit({
        auth: token,
        baseUrl,
        userAgent: 'opshub-backstage-plugin',
        request: { fetch },
      });
      clients.set(key, client);
    }
    return client;
  };
}
