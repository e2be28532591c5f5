import http from 'node:http';

export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

/** One POST; resolves with the status code. Loopback targets only. */
function post(
  agent: http.Agent,
  url: URL,
  delivery: Delivery,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          ...delivery.headers,
          'content-length': delivery.body.length,
        },
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(delivery.body);
  });
}

/** What a load run sends, where, for how long, and the answer it expects. */
export interface LoadTarget {
  url: string;
  durationMs: number;
  next: () => Delivery;
  expectStatus: number;
}

function loopbackUrl(raw: string): URL {
  const url = new URL(raw);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`Load only ever targets loopback, not ${url.hostname}`);
  }
  return url;
}

/** `connections` clients each sending back to back for `durationMs`. */
export async function closedLoop(
  options: LoadTarget & { connections: number },
): Promise<LoadResult> {
  const url = loopbackUrl(options.url);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.connections,
  });
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await post(agent, url, options.next()).catch(() => 0);
        latenciesMs.push(performance.now() - sent);
        if (status !== options.expectStatus) errors += 1;
      }
    }),
  );
  agent.destroy();
  return {
    requests: latenciesMs.length,
    errors,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
  };
}

/**
 * Sends at a steady `ratePerSecond` whatever the answers do (open loop), and
 * measures each latency from the moment the request was due, so queueing
 * behind a slow answer counts.
 */
export async function openLoop(
  options: LoadTarget & { ratePerSecond: number },
): Promise<LoadResult> {
  const url = loopbackUrl(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const interval = 1000 / options.ratePerSecond;
  const started = performance.now();
  const inFlight: Array<Promise<{ status: number; latencyMs: number }>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
    inFlight.push(
      post(agent, url, options.next())
        .catch(() => 0)
        .then(status => ({ status, latencyMs: performance.now() - due })),
    );
  }
  const answers = await Promise.all(inFlight);
  agent.destroy();
  return {
    requests: total,
    errors: answers.filter(a => a.status !== options.expectStatus).length,
    seconds: (performance.now() - started) / 1000,
    latenciesMs: answers.map(a => a.latencyMs),
  };
}

/** Several runs against one target as one result. */
export function combine(runs: LoadResult[]): LoadResult {
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
    latenciesMs: runs.flatMap(r => r.latenciesMs),
  };
}
