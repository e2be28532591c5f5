import { NetlifyAPI } from '@netlify/api';
import type { ProviderApiFailure } from '@opshub/plugin-opshub-node';

/** A deploy as `getDeploy` answers it. */
export type NetlifyDeploy = Awaited<ReturnType<NetlifyAPI['getDeploy']>>;

/** A site as `getSite` answers it. */
export type NetlifySite = Awaited<ReturnType<NetlifyAPI['getSite']>>;

/**
 * The official client pointed at `apiBaseUrl`. The client takes the base as
 * scheme, host and path prefix, and falls back to `/api/v1` on an empty
 * prefix, so the URL must carry its path.
 */
export function createNetlifyClient(
  token: string,
  apiBaseUrl: string,
): NetlifyAPI {
  const url = parseApiBaseUrl(apiBaseUrl);
  return new NetlifyAPI(token, {
    scheme: url.protocol.slice(0, -1),
    host: url.host,
    pathPrefix: url.pathname.replace(/\/+$/, ''),
    userAgent: 'opshub-backend-module-netlify',
  });
}

function parseApiBaseUrl(apiBaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    throw new Error(
      `opshub.providers.netlify.apiBaseUrl is not a URL: '${apiBaseUrl}'`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('opshub.providers.netlify.apiBaseUrl must be http(s)');
  }
  if (url.pathname.replace(/\/+$/, '') === '' || url.search || url.hash) {
    throw new Error(
      'opshub.providers.netlify.apiBaseUrl must be the API root with its path ' +
        'and nothing after it, e.g. https://api.netlify.com/api/v1',
    );
  }
  return url;
}

/**
 * The HTTP status of a failed client call. The client throws
 * `JSONHTTPError` / `TextHTTPError` (not exported) with a numeric `status`;
 * network errors have none.
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (
    !(error instanceof Error) ||
    (error.name !== 'JSONHTTPError' && error.name !== 'TextHTTPError')
  ) {
    return undefined;
  }
  const { status } = error as { status?: unknown };
  return typeof status === 'number' ? status : undefined;
}

/**
 * `failureOf` for `callProviderApi`. Netlify's errors carry no response
 * headers, so a 429 that outlasts the client's own five waits for
 * `X-RateLimit-Reset` gets OpsHub's default rate-limit wait.
 */
export function netlifyFailureOf(
  error: unknown,
): ProviderApiFailure | undefined {
  const status = httpStatusOf(error);
  if (status === undefined) return undefined;
  return { status, detail: detailOf(error) };
}

/** Netlify's own message (`{ code, message }`), short; never the request. */
function detailOf(error: unknown): string | undefined {
  const { json, data, message } = error as {
    json?: { message?: unknown };
    data?: unknown;
    message?: string;
  };
  let text = message;
  if (typeof data === 'string' && data) text = data;
  if (typeof json?.message === 'string') text = json.message;
  return text ? text.slice(0, 200) : undefined;
}

/** What {@link orGone} answers for a 404. */
export const GONE = Symbol('gone');

/** A 404 means the deploy (or site) is gone, which callers may accept. */
export function orGone<T>(promise: Promise<T>): Promise<T | typeof GONE> {
  return promise.catch(error => {
    if (httpStatusOf(error) === 404) return GONE;
    throw error;
  });
}

/** Lets through failures with the given statuses, answering undefined. */
export function ignoreStatus(...statuses: number[]) {
  return (error: unknown): undefined => {
    const status = httpStatusOf(error);
    if (status !== undefined && statuses.includes(status)) return undefined;
    throw error;
  };
}

/**
 * The call's outcome, or the signal's reason as soon as it aborts: the
 * client sleeps out 429s without watching the signal.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
