import { JobRetryLaterError } from '../../queue/errors';

/** The HTTP status of an Octokit error, if it has one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headerOf(error: unknown, name: string): string | undefined {
  const headers = (
    error as { response?: { headers?: Record<string, unknown> } } | null
  )?.response?.headers;
  const value = headers?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Whether GitHub answered a read with a refusal that asking again will not
 * change: not found (a private or deleted repository, a base commit
 * force-pushed away), forbidden, unauthorized or unprocessable. A rate
 * limit is not a refusal: it throws a {@link JobRetryLaterError} for the
 * queue to retry once the limit resets. Anything else (5xx, network) is
 * neither: the caller rethrows it and the queue retries.
 */
export function isGithubRefusal(error: unknown, nowMs = Date.now()): boolean {
  const status = statusOf(error);
  if (status === undefined) return false;
  const retryAfter = Number(headerOf(error, 'retry-after'));
  const reset = Number(headerOf(error, 'x-ratelimit-reset'));
  const rateLimited =
    status === 429 ||
    (status === 403 &&
      (headerOf(error, 'x-ratelimit-remaining') === '0' || retryAfter > 0));
  if (rateLimited) {
    throw new JobRetryLaterError(
      'GitHub rate limit reached',
      rateLimitWaitMs(retryAfter, reset, nowMs),
    );
  }
  return [401, 403, 404, 410, 422].includes(status);
}

/** Retry-After when given, else until the limit resets, else a minute. */
function rateLimitWaitMs(
  retryAfterSeconds: number,
  resetEpochSeconds: number,
  nowMs: number,
): number {
  if (retryAfterSeconds > 0) return retryAfterSeconds * 1000;
  if (resetEpochSeconds > 0) {
    return Math.max(1000, resetEpochSeconds * 1000 - nowMs);
  }
  return 60_000;
}
