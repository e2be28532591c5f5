import { Webhooks } from '@octokit/webhooks';

/**
 * A webhook secret. Without `owners` and `repositories` it signs for every
 * repository; with them, only for the repositories of those owners and those
 * `owner/name` repositories (both compared case-insensitively), so the
 * secret of one repository's webhook cannot speak for another.
 */
export interface WebhookSecret {
  secret: string;
  owners?: string[];
  repositories?: string[];
}

/** What the secret that signed a delivery may sign for. */
export type SecretScope =
  | 'any'
  | { owners: ReadonlySet<string>; repositories: ReadonlySet<string> };

/**
 * The scope of the secret whose `X-Hub-Signature-256` matches the raw body,
 * or undefined when none does.
 */
export type GithubSignatureVerifier = (
  rawBody: string,
  signature: string | undefined,
) => Promise<SecretScope | undefined>;

/**
 * Checks `X-Hub-Signature-256` against the raw body with @octokit/webhooks'
 * constant-time `verify`, for the current secret and then each additional one
 * (secret rotation, per-repository webhooks). The legacy SHA-1
 * `X-Hub-Signature` is never accepted. A secret configured more than once is
 * checked once, with the union of its scopes (unscoped if any entry is).
 */
export function createGithubSignatureVerifier(
  secret: string,
  additionalSecrets: Array<string | WebhookSecret> = [],
): GithubSignatureVerifier {
  const scopes = new Map<string, SecretScope>();
  for (const entry of [secret, ...additionalSecrets]) {
    const { secret: value, ...scope } =
      typeof entry === 'string' ? { secret: entry } : entry;
    scopes.set(value, mergeScopes(scopes.get(value), scopeOf(scope)));
  }
  const verifiers = [...scopes].map(([value, scope]) => ({
    webhooks: new Webhooks({ secret: value }),
    scope,
  }));
  return async (rawBody, signature) => {
    if (!signature || !signature.startsWith('sha256=')) return undefined;
    for (const { webhooks, scope } of verifiers) {
      // verify throws on malformed input (e.g. an empty body): not a match.
      if (await webhooks.verify(rawBody, signature).catch(() => false)) {
        return scope;
      }
    }
    return undefined;
  };
}

/**
 * Whether a secret of this scope may sign a delivery about `repository`
 * (`owner/name`); a delivery about no repository only an unscoped one.
 */
export function scopeAllows(
  scope: SecretScope,
  repository: string | null | undefined,
): boolean {
  if (scope === 'any') return true;
  const name = repository?.toLowerCase();
  const parts = name?.split('/');
  if (!name || parts?.length !== 2 || !parts[0] || !parts[1]) return false;
  return scope.repositories.has(name) || scope.owners.has(parts[0]);
}

function scopeOf(entry: Omit<WebhookSecret, 'secret'>): SecretScope {
  if (entry.owners === undefined && entry.repositories === undefined) {
    return 'any';
  }
  const lower = (names: string[] = []) => names.map(n => n.toLowerCase());
  return {
    owners: new Set(lower(entry.owners)),
    repositories: new Set(lower(entry.repositories)),
  };
}

function mergeScopes(a: SecretScope | undefined, b: SecretScope): SecretScope {
  if (!a) return b;
  if (a === 'any' || b === 'any') return 'any';
  return {
    owners: new Set([...a.owners, ...b.owners]),
    repositories: new Set([...a.repositories, ...b.repositories]),
  };
}
