import { isCallTimeout } from '@opshub/plugin-opshub-node';

/**
 * Thrown by a handler that wants to be retried after a given delay, such as a
 * provider's `Retry-After` or rate-limit reset. Counts as a failed attempt.
 */
export class JobRetryLaterError extends Error {
  name = 'JobRetryLaterError';
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/** Thrown by a handler whose job can never succeed: the job dies at once. */
export class JobPermanentError extends Error {
  name = 'JobPermanentError';
}

/** Error classes recorded with a failed or dead job. */
export type JobErrorClass =
  | 'retry-later'
  | 'permanent'
  | 'transient'
  /** An outbound call got no complete answer within the call timeout. */
  | 'timeout'
  | 'lease-expired'
  | 'shutdown';

export function errorClassOf(error: unknown): JobErrorClass {
  if (error instanceof JobRetryLaterError) return 'retry-later';
  if (error instanceof JobPermanentError) return 'permanent';
  if (isCallTimeout(error)) return 'timeout';
  return 'transient';
}

/** The message of any thrown value, bounded so one error cannot bloat a row. */
export function errorMessageOf(error: unknown): string {
  const message =
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > 2000 ? `${message.slice(0, 2000)}…` : message;
}

/**
 * Exponential backoff with full jitter: a uniform delay in
 * [0, min(cap, base * 2^(attempt - 1))].
 */
export function backoffDelayMs(
  attempt: number,
  options: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    options.capMs,
    options.baseMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.floor(random() * ceiling);
}
