import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

/** The names a test certificate is valid for: 127.0.0.1 and `secure.test`. */
export const TLS_TEST_HOST = 'secure.test';

export interface TestCertificate {
  /** PEM; also the CA that trusts it (it signs itself). */
  cert: string;
  key: string;
  /** When it expires (its notAfter). */
  expiresAt: Date;
}

/** Every timer jest can fake but Date. */
const NOT_DATE: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

/**
 * A self-signed certificate for 127.0.0.1 and secure.test, made at test
 * time, valid for `days` from `madeAt` (default now). selfsigned refuses
 * to make a certificate that is invalid when made, so an expired one is
 * made with the clock (Date only) set back to `madeAt`.
 */
export function selfSignedCertificate(
  days: number,
  madeAt?: Date,
): TestCertificate {
  if (madeAt) jest.useFakeTimers({ now: madeAt, doNotFake: NOT_DATE });
  try {
    const pems = generate([{ name: 'commonName', value: TLS_TEST_HOST }], {
      days,
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: TLS_TEST_HOST },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    return {
      cert: pems.cert,
      key: pems.private,
      expiresAt: new Date(new X509Certificate(pems.cert).validTo),
    };
  } finally {
    if (madeAt) jest.useRealTimers();
  }
}

export interface LoopbackTlsServer {
  /** https://127.0.0.1:<port> */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A node:https server on 127.0.0.1 (an ephemeral port) presenting `certificate`. */
export async function startLoopbackTlsServer(
  certificate: TestCertificate,
  handler: RequestListener,
): Promise<LoopbackTlsServer> {
  const server: Server = createServer(
    { cert: certificate.cert, key: certificate.key },
    handler,
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
