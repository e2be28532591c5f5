import { Webhooks } from '@octokit/webhooks';

/**
 * Checks `X-Hub-Signature-256` against the raw body with @octokit/webhooks'
 * constant-time `verify`, for the current secret and then each additional one
 * (secret rotation). The legacy SHA-1 `X-Hub-Signature` is never accepted.
 */
export function createGithubSignatureVerifier(
  secret: string,
  additionalSecrets: string[] = [],
): (rawBody: string, signature: string | undefined) => Promise<boolean> {
  const verifiers = [secret, ...additionalSecrets].map(
    s => new Webhooks({ secret: s }),
  );
  return async (rawBody, signature) => {
    if (!signature || !signature.startsWith('sha256=')) return false;
    for (const webhooks of verifiers) {
      // verify throws on malformed input (e.g. an empty body): not a match.
      if (await webhooks.verify(rawBody, signature).catch(() => false)) {
        return true;
      }
    }
    return false;
  };
}
