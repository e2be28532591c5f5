import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import {
  fakeLookup,
  type LoopbackServer,
  startLoopbackServer,
} from '../__testUtils__/loopbackServers';
import { certificateExpiryWarning } from './certificateExpiry';
import { NetworkPolicy } from './networkPolicy';
import { createSsrfSafeProber } from './ssrfSafeProber';
import { probeRequest } from './__testUtils__/probeRequests';
import {
  type LoopbackTlsServer,
  selfSignedCertificate,
  startLoopbackTlsServer,
  type TestCertificate,
  TLS_TEST_HOST,
} from './__testUtils__/loopbackTlsServer';

jest.setTimeout(30_000);

const guard = useConnectionGuard();
const DAY_MS = 86_400_000;

describe('certificateExpiryWarning', () => {
  const expiresAt = new Date('2026-12-06T12:00:00Z');
  const at = (daysBefore: number) => expiresAt.getTime() - daysBefore * DAY_MS;

  it('warns within the given number of days, the boundary included', () => {
    expect(certificateExpiryWarning(expiresAt, 10, at(5.5))).toBe(
      'certificate expires in 5 days (2026-12-06)',
    );
    expect(certificateExpiryWarning(expiresAt, 10, at(10))).toBe(
      'certificate expires in 10 days (2026-12-06)',
    );
    expect(certificateExpiryWarning(expiresAt, 10, at(10.01))).toBeUndefined();
  });

  it('says a day, less than a day, and expired', () => {
    expect(certificateExpiryWarning(expiresAt, 3, at(1.2))).toBe(
      'certificate expires in 1 day (2026-12-06)',
    );
    expect(certificateExpiryWarning(expiresAt, 3, at(0.2))).toBe(
      'certificate expires in less than a day (2026-12-06)',
    );
    expect(certificateExpiryWarning(expiresAt, 3, at(-1))).toBe(
      'certificate expired (2026-12-06)',
    );
  });
});

describe('certificate expiry of https probes against loopback servers', () => {
  const policy = new NetworkPolicy({
    allowPrivateNetworks: false,
    allowedNetworks: ['127.0.0.1/32'],
  });
  let soon: TestCertificate;
  let expired: TestCertificate;
  let soonServer: LoopbackTlsServer;
  let expiredServer: LoopbackTlsServer;
  let plain: LoopbackServer;

  beforeAll(async () => {
    soon = selfSignedCertificate(5);
    expired = selfSignedCertificate(5, new Date(Date.now() - 10 * DAY_MS));
    plain = await startLoopbackServer((_req, res) => res.end('plain'));
    const answer = (req: { url?: string }, res: any) => {
      if (req.url === '/to-plain') {
        res.writeHead(302, { location: `${plain.origin}/` }).end();
      } else res.writeHead(200).end('secure');
    };
    soonServer = await startLoopbackTlsServer(soon, answer);
    expiredServer = await startLoopbackTlsServer(expired, answer);
  });
  afterAll(async () => {
    await soonServer.close();
    await expiredServer.close();
    await plain.close();
  });

  /** A prober trusting `ca` whose clock reads 4.5 days before `soon` expires. */
  function proberTrusting(ca: string | undefined) {
    return createSsrfSafeProber({
      policy,
      maxRedirects: 2,
      lookup: fakeLookup('127.0.0.1'),
      now: () => soon.expiresAt.getTime() - 4.5 * DAY_MS,
      testOnlyTrustedCa: ca,
    });
  }
  const date = () => soon.expiresAt.toISOString().slice(0, 10);

  it('is degraded when the certificate expires within certExpiryDays, naming the days and date', async () => {
    const prober = proberTrusting(soon.cert);
    try {
      const result = await prober.probe(
        probeRequest(`https://${TLS_TEST_HOST}:${soonServer.port}/`, {
          certExpiryDays: 10,
        }),
      );
      expect(result).toMatchObject({
        outcome: 'degraded',
        statusCode: 200,
        errorClass: null,
        message: `certificate expires in 4 days (${date()})`,
      });
      expect(guard.attempts).toEqual([
        { address: '127.0.0.1', port: soonServer.port },
      ]);
    } finally {
      await prober.close();
    }
  });

  it('is a success when the certificate outlives certExpiryDays, or when they are not set', async () => {
    const prober = proberTrusting(soon.cert);
    try {
      for (const certExpiryDays of [3, null]) {
        expect(
          await prober.probe(
            probeRequest(`${soonServer.origin}/`, { certExpiryDays }),
          ),
        ).toMatchObject({ outcome: 'success', message: null });
      }
    } finally {
      await prober.close();
    }
  });

  it('counts the certificate of an https hop that redirected to plain http', async () => {
    const prober = proberTrusting(soon.cert);
    try {
      const result = await prober.probe(
        probeRequest(`${soonServer.origin}/to-plain`, {
          certExpiryDays: 10,
          bodyContains: 'plain',
        }),
      );
      expect(result).toMatchObject({
        outcome: 'degraded',
        message: `certificate expires in 4 days (${date()})`,
      });
    } finally {
      await prober.close();
    }
  });

  it('keeps an expired certificate a tls failure', async () => {
    const prober = proberTrusting(expired.cert);
    try {
      const result = await prober.probe(
        probeRequest(`${expiredServer.origin}/`, { certExpiryDays: 10 }),
      );
      expect(result).toMatchObject({
        outcome: 'failure',
        errorClass: 'tls',
        message: `TLS with 127.0.0.1:${expiredServer.port} failed (CERT_HAS_EXPIRED)`,
      });
    } finally {
      await prober.close();
    }
  });

  it('verifies certificates: without the test CA the self-signed one fails as tls', async () => {
    const prober = proberTrusting(undefined);
    try {
      const result = await prober.probe(
        probeRequest(`${soonServer.origin}/`, { certExpiryDays: 10 }),
      );
      expect(result).toMatchObject({ outcome: 'failure', errorClass: 'tls' });
    } finally {
      await prober.close();
    }
  });
});
