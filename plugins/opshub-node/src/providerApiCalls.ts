import { CallTimeoutError } from './callTimeouts';
import {
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  PreviewProviderTransientError,
} from './previewProviders';

/**
 * What a provider's HTTP API answered when a call failed, as far as OpsHub's
 * retries care. `detail` is the provider's own error code or message; it ends
 * up in job errors and logs, so it must not carry credentials.
 *
 * @public
 */
export interface ProviderApiFailure {
  status: number;
  /** From `Retry-After` or `X-RateLimit-Reset`; see {@link retryAfterMsOf}. */
  retryAfterMs?: number;
  detail?: string;
}

/**
 * How long to wait after a 429 that says nothing about when to come back.
 *
 * @public
 */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * Calls a provider's API through its official client and turns failures into
 * OpsHub's typed provider errors: 429 → rate-limited (with the provider's
 * reset), 5xx, 408 and no answer → transient, 402 → permanent `quota`, other
 * 4xx → permanent `configuration`. Each call gets its own timeout on top of
 * the job's signal (past it: transient, caused by a {@link CallTimeoutError},
 * which the queue records as `timeout`); the job's own abort (shutdown, lost lease) is rethrown as
 * it is. `failureOf` reads the status from the client's error type, or
 * returns undefined when the error carries none (network errors).
 *
 * @public
 */
export async function callProviderApi<T>(
  options: {
    /** `Vercel could not <operation>`. */
    provider: string;
    operation: string;
    signal: AbortSignal;
    timeoutMs: number;
    failureOf(error: unknown): ProviderApiFailure | undefined;
  },
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return await call(AbortSignal.any([options.signal, timeout]));
  } catch (error) {
    if (options.signal.aborted) throw error;
    const what = `${options.provider} could not ${options.operation}`;
    if (timeout.aborted) {
      const cause = new CallTimeoutError(what, options.timeoutMs);
      throw new PreviewProviderTransientError(cause.message, { cause });
    }
    const failure = options.failureOf(error);
    if (!failure) {
      throw new PreviewProviderTransientError(`${what}: ${messageOf(error)}`);
    }
    throw providerErrorFor(what, failure);
  }
}

function providerErrorFor(what: string, failure: ProviderApiFailure): Error {
  const { status, detail } = failure;
  const message = `${what}: HTTP ${status}${detail ? ` (${detail})` : ''}`;
  if (status === 429) {
    return new PreviewProviderRateLimitedError(
      message,
      failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    );
  }
  if (status >= 500 || status === 408) {
    return new PreviewProviderTransientError(message);
  }
  return new PreviewProviderPermanentError(
    message,
    status === 402 ? 'quota' : 'configuration',
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * When a rate-limited caller may come back, in milliseconds from `now`:
 * `Retry-After` (seconds or an HTTP date) first, else `X-RateLimit-Reset`
 * (epoch seconds, as GitHub, Vercel and Netlify send it). Undefined when
 * neither says.
 *
 * @public
 */
export function retryAfterMsOf(
  headers: { get(name: string): string | null },
  now: number = Date.now(),
): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const at = Number.isFinite(seconds)
      ? now + seconds * 1000
      : Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset') ?? NaN);
  if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}
