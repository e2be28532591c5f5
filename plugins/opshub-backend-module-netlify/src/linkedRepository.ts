import type { ProviderRepositoryLink } from '@opshub/plugin-opshub-node';
/** The parts of a site's `build_settings` (`repoInfo`) that name its repository. */
export interface RepositorySettings {
  provider?: string | null;
  repo_url?: string | null;
  repo_path?: string | null;
}

/** Netlify's `build_settings.provider` values, as people write them. */
const PROVIDER_NAMES: Record<string, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  bitbucket: 'Bitbucket',
  azure_devops: 'Azure DevOps',
  'azure-devops': 'Azure DevOps',
};

/**
 * The repository a Netlify site is linked to: `githubRepository` is its `owner/name`
 * when it is a repository on github.com, and `description` names the link
 * for a refusal; both are absent for a site linked to none. Reads
 * `repo_url` (`https://github.com/acme/web`, with or without `.git`, or
 * `git@github.com:acme/web.git`), else `repo_path` (`acme/web`); a
 * `provider` other than `github` is another Git provider whatever the URL.
 */
export function linkedRepositoryOf(
  settings: RepositorySettings | null | undefined,
): ProviderRepositoryLink {
  const url = settings?.repo_url?.trim() ?? '';
  const path = settings?.repo_path?.trim() ?? '';
  if (!url && !path) return {};
  const provider = settings?.provider?.trim().toLowerCase() ?? '';
  const shown = withoutCredentials(url) || path;
  if (provider && provider !== 'github') {
    return {
      description: `${
        PROVIDER_NAMES[provider] ?? provider
      } repository ${shown}`,
    };
  }
  const parsed = url ? parseGitUrl(url) : undefined;
  if (parsed && parsed.host !== 'github.com') {
    return { description: `repository ${shown} (not on GitHub)` };
  }
  const ownerAndName = ownerAndNameOf(parsed?.path ?? path);
  return ownerAndName
    ? {
        githubRepository: ownerAndName,
        description: `GitHub repository ${ownerAndName}`,
      }
    : { description: `repository ${shown}` };
}

/** Host (lower case, without `www.`) and path of a Git remote URL. */
function parseGitUrl(url: string): { host: string; path: string } | undefined {
  // scp-like: git@github.com:acme/web.git
  const scp = /^[^@/:\s]+@([^:/\s]+):(?!\/)(.+)$/.exec(url);
  if (scp) return { host: normalHost(scp[1]), path: scp[2] };
  try {
    const parsed = new URL(url);
    return { host: normalHost(parsed.hostname), path: parsed.pathname };
  } catch {
    return undefined;
  }
}

/** The URL as a message may show it: without a user name or password. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function normalHost(host: string): string {
  return host.toLowerCase().replace(/^www\./, '');
}

/** `owner/name` from `/owner/name.git/` and the like, else undefined. */
function ownerAndNameOf(path: string): string | undefined {
  const segments = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .split('/');
  return segments.length === 2 && segments.every(Boolean)
    ? segments.join('/')
    : undefined;
}
