import http from 'node:http';

export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Requests sent (and answered, or failed). */
  requests: number;
  /** Answers with the expected status: the only ones throughput counts. */
  accepted: number;
  /** Every other answer by status (`0`: no answer, the connection failed). */
  others: Record<number, number>;
  seconds: number;
  /** Every request's, whatever its answer. */
  latenciesMs: number[];
}

/** How many answers were not the expected status. */
export const othersCount = (r: LoadResult) =>
  Object.values(r.others).reduce((sum, n) => sum + n, 0);

/** E.g. `none` or `3 x 503, 1 x no answer`. */
export function describeOthers(others: Record<number, number>): string {
  const entries = Object.entries(others).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .map(([status, n]) => `${n} x ${status === '0' ? 'no answer' : status}`)
    .join(', ');
}

/** Tallies answers: the expected status, and every other by status. */
function tally(statuses: number[], expectStatus: number) {
  const others: Record<number, number> = {};
  let accepted = 0;
  for (const status of statuses) {
    if (status === expectStatus) accepted += 1;
    else others[status] = (others[status] ?? 0) + 1;
  }
  return { accepted, others };
}

/** One POST; resolves with the status code. Loopback targets only. */
export function post(
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
  const statuses: number[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        // Built before the clock starts: the client's work is not latency.
        const delivery = options.next();
        const sent = performance.now();
        statuses.push(await post(agent, url, delivery).catch(() => 0));
        latenciesMs.push(performance.now() - sent);
      }
    }),
  );
  agent.destroy();
  return {
    requests: latenciesMs.length,
    ...tally(statuses, options.expectStatus),
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
    ...tally(
      answers.map(a => a.status),
      options.expectStatus,
    ),
    seconds: (performance.now() - started) / 1000,
    latenciesMs: answers.map(a => a.latencyMs),
  };
}

/** Several runs against one target as one result. */
export function combine(runs: LoadResult[]): LoadResult {
  return {
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    accepted: runs.reduce((sum, r) => sum + r.accepted, 0),
    others: mergeOthers(runs.map(r => r.others)),
    seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
    latenciesMs: runs.flatMap(r => r.latenciesMs),
  };
}

export function mergeOthers(
  all: Array<Record<number, number>>,
): Record<number, number> {
  const merged: Record<number, number> = {};
  for (const others of all) {
    for (const [status, n] of Object.entries(others)) {
      merged[Number(status)] = (merged[Number(status)] ?? 0) + n;
    }
  }
  return merged;
}
