import {
  DEFAULT_RATE_LIMIT_WAIT_MS,
  retryAfterMsOf,
} from '@opshub/plugin-opshub-node';
import { JobRetryLaterError } from '../queue/errors';

/** What Octokit's RequestError carries, as far as retries care. */
type GithubFailure = {
  status?: unknown;
  response?: { headers?: Record<string, string | number | undefined> };
};

/**
 * A failed GitHub call as the job queue's retry decision: a rate limit (429,
 * or 403 with no requests left or a `Retry-After`) is retried after
 * GitHub's `Retry-After` or `X-RateLimit-Reset`; anything else is left as it
 * is (a call past the call timeout is recorded as `timeout`, others as
 * `transient`).
 */
export function githubJobError(error: unknown): unknown {
  const { status, response } = (error ?? {}) as GithubFailure;
  const headers = response?.headers ?? {};
  const header = (name: string) =>
    headers[name] === undefined ? null : String(headers[name]);
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (header('x-ratelimit-remaining') === '0' ||
        header('retry-after') !== null));
  if (!rateLimited) return error;
  return new JobRetryLaterError(
    `GitHub rate limited OpsHub (HTTP ${status})`,
    retryAfterMsOf({ get: header }) ?? DEFAULT_RATE_LIMIT_WAIT_MS,
  );
}
