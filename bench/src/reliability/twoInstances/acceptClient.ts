import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { post } from '../../lib/load';

/** One delivery to POST, by its index in the plan. */
interface Send {
  index: number;
  url: string;
  body: Uint8Array;
  headers: Record<string, string>;
}

export interface AcceptResults {
  /** Per answered or failed request, send to answer, in ms. */
  latenciesMs: number[];
  /** Each delivery's send (ms since the epoch) and answer time, by index. */
  timings: Array<{ sentAt: number; ms: number }>;
  /** Each delivery's answer (0: none), by its index. */
  statuses: number[];
  /** Why requests got no answer. */
  failures: string[];
}

/**
 * A webhook client on a thread of its own: the bench's thread also serves
 * the fakes and samples the database, and its busy moments would otherwise
 * count as the backends' accept latency. The clock runs on this thread from
 * the moment a request goes out to its answer.
 *
 * Resolves once the thread is up: deliveries handed to a thread still
 * starting would wait for it and go out together, a burst at a rate the
 * row never planned.
 */
export async function startAcceptClient() {
  const worker = new Worker(
    `require(${JSON.stringify(__filename)}).runAcceptClient()`,
    { eval: true },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const results = new Promise<AcceptResults>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    send(send: Send) {
      worker.postMessage(send);
    },
    /** Resolves once every request sent so far has its answer. */
    async finish(): Promise<AcceptResults> {
      worker.postMessage('finish');
      const answers = await results;
      await worker.terminate();
      return answers;
    },
  };
}

/** The worker's side: sends what it is given, reports at `finish`. */
export function runAcceptClient() {
  if (isMainThread || !parentPort) throw new Error('runs in a worker');
  const port = parentPort;
  // Idle connections are closed well before the server's keep-alive
  // timeout (5 s), so none is reused just as the server closes it.
  const agents = new Map<string, http.Agent>();
  const agentFor = (url: URL) => {
    if (!agents.has(url.host)) {
      agents.set(
        url.host,
        new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 1_000 }),
      );
    }
    return agents.get(url.host)!;
  };
  const results: AcceptResults = {
    latenciesMs: [],
    timings: [],
    statuses: [],
    failures: [],
  };
  const answered: Array<Promise<void>> = [];
  port.on('message', (message: Send | 'finish') => {
    if (message === 'finish') {
      Promise.all(answered).then(() => {
        agents.forEach(agent => agent.destroy());
        port.postMessage(results);
      });
      return;
    }
    const url = new URL(message.url);
    const sent = performance.now();
    answered.push(
      post(agentFor(url), url, {
        body: Buffer.from(message.body),
        headers: message.headers,
      })
        .catch(error => {
          results.failures.push(String(error));
          return 0;
        })
        .then(status => {
          const ms = performance.now() - sent;
          results.latenciesMs.push(ms);
          results.timings[message.index] = {
            sentAt: performance.timeOrigin + sent,
            ms,
          };
          results.statuses[message.index] = status;
        }),
    );
  });
  port.postMessage('ready');
}
