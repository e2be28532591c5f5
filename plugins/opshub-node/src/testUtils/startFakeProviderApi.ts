import {
  createServer,
  type IncomingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A request the fake received.
 *
 * @public
 */
export interface FakeApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: unknown;
  /** The route's `:name` segments. */
  params: Record<string, string>;
}

/**
 * What the fake answers; JSON unless `headers` say otherwise.
 *
 * @public
 */
export interface FakeApiAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (slow provider). */
  delayMs?: number;
  /**
   * Send the headers at once, then the body one byte every this many
   * milliseconds (a body that dribbles in).
   */
  dribbleMs?: number;
}

/**
 * A route's answer, from the request.
 *
 * @public
 */
export type FakeApiRoute = (
  request: FakeApiRequest,
) => FakeApiAnswer | Promise<FakeApiAnswer>;

/**
 * A provider's HTTP API on loopback, for driving the official client in
 * tests: routes answer by method and path pattern, one-off answers (429,
 * 5xx, slow) go ahead of a route, and every request is recorded.
 *
 * @public
 */
export interface FakeProviderApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: FakeApiRequest[];
  /** E.g. `route('GET /v13/deployments/:id', ...)`; a later route wins. */
  route(pattern: string, answer: FakeApiRoute): void;
  /** Answered (in order) before the route, once each. */
  answerOnce(pattern: string, ...answers: FakeApiAnswer[]): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  segments: string[];
  answer: FakeApiRoute;
}

/**
 * Starts a {@link FakeProviderApi} on 127.0.0.1 at a free port; unrouted
 * requests get 404.
 *
 * @public
 */
export async function startFakeProviderApi(): Promise<FakeProviderApi> {
  const routes: Route[] = [];
  const once = new Map<string, FakeApiAnswer[]>();
  const requests: FakeApiRequest[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url!, 'http://fake');
    const method = req.method!;
    const found = findRoute(routes, method, url.pathname);
    const request: FakeApiRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: parseBody(Buffer.concat(chunks).toString('utf8')),
      params: found?.params ?? {},
    };
    requests.push(request);
    const queued = found && once.get(patternOf(found.route))?.shift();
    const answer: FakeApiAnswer = queued ??
      (found ? await found.route.answer(request) : undefined) ?? {
        status: 404,
        body: { error: { code: 'not_found', message: 'No such route' } },
      };
    if (answer.delayMs) {
      await new Promise(resolve => setTimeout(resolve, answer.delayMs));
    }
    if (res.destroyed) return;
    const text =
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, {
      'content-type': 'application/json; charset=utf-8',
      ...answer.headers,
    });
    if (answer.dribbleMs) {
      await dribble(res, text, answer.dribbleMs);
      return;
    }
    res.end(answer.status === 204 ? undefined : text);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route(pattern, answer) {
      const [method, path] = pattern.split(' ');
      routes.unshift({ method, segments: path.split('/'), answer });
    },
    answerOnce(pattern, ...answers) {
      once.set(pattern, [...(once.get(pattern) ?? []), ...answers]);
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `text` a byte at a time, until done or the client goes away. */
async function dribble(
  res: ServerResponse,
  text: string,
  everyMs: number,
): Promise<void> {
  res.flushHeaders();
  for (const byte of Buffer.from(text)) {
    await new Promise(resolve => setTimeout(resolve, everyMs));
    if (res.destroyed) return;
    res.write(Buffer.of(byte));
  }
  res.end();
}

function findRoute(routes: Route[], method: string, path: string) {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segments.length) {
      continue;
    }
    const params: Record<string, string> = {};
    const matches = route.segments.every((segment, i) => {
      if (!segment.startsWith(':')) return segment === segments[i];
      params[segment.slice(1)] = decodeURIComponent(segments[i]);
      return true;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

function patternOf(route: Route): string {
  return `${route.method} ${route.segments.join('/')}`;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
