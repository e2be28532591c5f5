import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy answers one request. */
export const MISBEHAVIOURS = [
  /** Forwarded; the fake's answer as it is. */
  'pass',
  /** 429 with `Retry-After: 1`, or `X-RateLimit-Remaining: 0` and a reset 2 s on. */
  'rate-limited',
  /** 500, 502 or 503, not forwarded. */
  'server-error',
  /** Forwarded; the fake's answer dribbled out over `slowBodyMs` (under the call timeout). */
  'slow-body',
  /** Forwarded; headers, then a byte of whitespace every 200 ms, never ending. */
  'endless-body',
  /** Not forwarded; no answer at all. */
  'no-answer',
] as const;
export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

/** One request the proxy received, and how long it was held open. */
export interface HeldRequest {
  kind: Misbehaviour;
  method: string;
  path: string;
  startedAt: number;
  /** When the exchange ended: answered in full, or the client went away. */
  endedAt?: number;
}

export interface MisbehavingProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: HeldRequest[];
  close(): Promise<void>;
}

const ERROR_BODY = (code: string, message: string) =>
  // Vercel's shape (`error`) and GitHub's (`message`) at once.
  JSON.stringify({ error: { code, message }, message });

/**
 * An HTTP proxy on 127.0.0.1 in front of a fake API that answers each
 * request as `pick()` says (a weighted random mix): passed through, or
 * misbehaving. Every request is recorded with the time it was held open.
 */
export async function startMisbehavingProxy(options: {
  upstream: string;
  pick(): Misbehaviour;
  slowBodyMs: number;
}): Promise<MisbehavingProxy> {
  const requests: HeldRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const held: HeldRequest = {
      kind: options.pick(),
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      startedAt: Date.now(),
    };
    requests.push(held);
    open.add(res);
    res.on('close', () => {
      held.endedAt = Date.now();
      open.delete(res);
    });
    const body = await readAll(req);
    try {
      await answer(held.kind, req, body, res, options);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  kind: Misbehaviour,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  options: { upstream: string; slowBodyMs: number },
): Promise<void> {
  switch (kind) {
    case 'rate-limited': {
      const headers: Record<string, string> =
        Math.random() < 0.5
          ? { 'retry-after': '1' }
          : {
              'x-ratelimit-limit': '100',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 2),
            };
      res.writeHead(429, { 'content-type': 'application/json', ...headers });
      res.end(ERROR_BODY('rate_limited', 'API rate limit exceeded'));
      return;
    }
    case 'server-error': {
      const status = [500, 502, 503][Math.floor(Math.random() * 3)];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(ERROR_BODY('internal_server_error', 'Something went wrong'));
      return;
    }
    case 'no-answer':
      return; // until the client gives up
    default:
  }
  const upstream = await forward(options.upstream, req, body);
  const headers = { ...upstream.headers };
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  delete headers.connection;
  delete headers['keep-alive'];
  if (kind === 'pass') {
    res.writeHead(upstream.status, headers);
    res.end(upstream.body);
    return;
  }
  res.writeHead(upstream.status, headers);
  res.flushHeaders();
  if (kind === 'endless-body') {
    while (!res.destroyed) {
      res.write(' ');
      await sleep(200);
    }
    return;
  }
  // slow-body: the whole answer, in ten pieces over slowBodyMs.
  const pieces = 10;
  const size = Math.ceil(upstream.body.length / pieces);
  for (let i = 0; i < pieces && !res.destroyed; i++) {
    await sleep(options.slowBodyMs / pieces);
    res.write(upstream.body.subarray(i * size, (i + 1) * size));
  }
  res.end();
}

function forward(
  upstream: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  const target = new URL(req.url ?? '/', upstream);
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      target,
      {
        method: req.method,
        headers: { ...req.headers, host: target.host, connection: 'close' },
      },
      async response => {
        resolve({
          status: response.statusCode ?? 502,
          headers: response.headers,
          body: await readAll(response),
        });
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

async function readAll(
  stream: AsyncIterable<Buffer | string>,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A seeded weighted pick (mulberry32), so a run's mix can be repeated with
 * `--seed`.
 */
export function weightedPicker(
  weights: Record<Misbehaviour, number>,
  seed: number,
): () => Misbehaviour {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const total = MISBEHAVIOURS.reduce((sum, kind) => sum + weights[kind], 0);
  return () => {
    let r = random() * total;
    for (const kind of MISBEHAVIOURS) {
      r -= weights[kind];
      if (r < 0) return kind;
    }
    return 'pass';
  };
}
