import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP, type LookupFunction } from 'node:net';

export interface LoopbackServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Requests received so far (method and path). */
  requests: string[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 (an ephemeral port) for probe tests. */
export async function startLoopbackServer(
  handler: RequestListener,
): Promise<LoopbackServer> {
  const state: LoopbackServer = {
    origin: '',
    port: 0,
    connections: 0,
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  };
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

/**
 * A name resolution for tests: the n-th call answers `answers[n]` (the last
 * one from then on); an answer of an Error fails the lookup. `calls` lists
 * the names asked for.
 */
export function fakeLookup(
  ...answers: Array<string | string[] | Error>
): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = ((hostname, options, callback) => {
    const answer = answers[Math.min(calls.length, answers.length - 1)];
    calls.push(hostname);
    process.nextTick(() => {
      if (answer instanceof Error) {
        callback(answer, '', 0);
        return;
      }
      const addresses = (Array.isArray(answer) ? answer : [answer]).map(
        address => ({ address, family: isIP(address) }),
      );
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  }) as LookupFunction & { calls: string[] };
  lookup.calls = calls;
  return lookup;
}
