/*
 * P4's probe targets, in a process of their own so their CPU counts for
 * neither the backend nor the floor: `--servers` (50) `node:http` servers on
 * 127.0.0.1 (a port each, picked by the system). Every request, whatever its
 * path, is answered at once with 200 and `{"status":"ok"}` (15 bytes of
 * JSON). Prints the ports as one JSON line: `{"ports":[...]}`.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs src/p4Targets.ts
 *     --servers 50
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { numberFromArgs } from './lib/stats';

const SERVERS = numberFromArgs('servers', 50, { min: 1, integer: true });
const BODY = JSON.stringify({ status: 'ok' });

function answer(req: http.IncomingMessage, res: http.ServerResponse) {
  // The probe's request has no body; drain anything sent all the same.
  req.resume();
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(BODY),
  });
  res.end(BODY);
}

async function listen(): Promise<number> {
  const server = http.createServer(answer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function main() {
  const ports: number[] = [];
  for (let i = 0; i < SERVERS; i++) ports.push(await listen());
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
