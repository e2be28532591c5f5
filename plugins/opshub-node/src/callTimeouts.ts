import { type Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/**
 * How long one outbound call of a job (to a preview provider, GitHub or
 * Slack) may take, answer and body included, when
 * `opshub.queue.callTimeout` does not say.
 *
 * @public
 */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * An outbound call got no complete answer within its timeout and was
 * aborted. The job queue records the attempt with error class `timeout`
 * and retries it with backoff.
 *
 * @public
 */
export class CallTimeoutError extends Error {
  readonly name = 'CallTimeoutError';
  constructor(what: string, readonly timeoutMs: number) {
    super(`${what}: no answer within ${timeoutMs} ms`);
  }
}

/**
 * Whether `error`, or an error it was caused by (clients wrap what their
 * fetch threw), is a {@link CallTimeoutError}.
 *
 * @public
 */
export function isCallTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof CallTimeoutError) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `opshub.queue.callTimeout` of the root config, in milliseconds (default
 * {@link DEFAULT_CALL_TIMEOUT_MS}).
 *
 * @public
 */
export function readCallTimeoutMs(rootConfig: Config): number {
  const key = 'opshub.queue.callTimeout';
  if (!rootConfig.has(key)) return DEFAULT_CALL_TIMEOUT_MS;
  const ms = durationToMilliseconds(
    readDurationFromConfig(rootConfig, { key }),
  );
  if (!(ms > 0)) throw new Error(`${key} must be longer than zero`);
  return ms;
}

/**
 * A `fetch` for an official client's own fetch option (Octokit's
 * `request.fetch`) that bounds the whole exchange, headers and body, by
 * `timeoutMs`: past it the request is aborted and the call rejects with a
 * {@link CallTimeoutError} (as the fetch's abort reason, which clients keep
 * as the cause of their own error). The body is read before the response
 * is handed over, so a body that dribbles or never ends is bounded too.
 * The caller's own signal still aborts as it did.
 *
 * @public
 */
export function fetchWithTimeout(
  timeoutMs: number,
  what: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new CallTimeoutError(what, timeoutMs)),
      timeoutMs,
    );
    const signal = init?.signal
      ? AbortSignal.any([init.signal, timeout.signal])
      : timeout.signal;
    try {
      const response = await fetchImpl(input, { ...init, signal });
      const noBody = [101, 204, 205, 304].includes(response.status);
      const body = noBody ? null : await response.arrayBuffer();
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      if (timeout.signal.aborted && !init?.signal?.aborted) {
        throw timeout.signal.reason;
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}
