import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import {
  closedLoopbackPort,
  fakeLookup,
  startLoopbackServer,
  type LoopbackServer,
} from '../__testUtils__/loopbackServers';
import { NetworkPolicy } from './networkPolicy';
import { createSsrfSafeProber } from './ssrfSafeProber';
import type { ProbeRequest } from './types';
import { probeRequest } from './__testUtils__/probeRequests';

const guard = useConnectionGuard();

/** Loopback is reachable only because allowedNetworks names it. */
const policy = new NetworkPolicy({
  allowPrivateNetworks: false,
  allowedNetworks: ['127.0.0.1/32'],
});

const request = probeRequest;

type Route = (res: ServerResponse, path: string) => void;

let server: LoopbackServer;
const routes = new Map<string, Route>();
/** The headers of each request the server received, with its path. */
const received: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
const prober = createSsrfSafeProber({
  policy,
  maxRedirects: 2,
  lookup: fakeLookup('127.0.0.1'),
});

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    const path = req.url ?? '/';
    received.push({ path, headers: req.headers });
    const route = routes.get(path.split('?')[0]);
    if (route) route(res, path);
    else res.writeHead(404).end('no route');
  });
});
afterAll(async () => {
  await prober.close();
  await server.close();
});
beforeEach(() => {
  routes.clear();
  received.splice(0);
  server.connections = 0;
  server.requests = [];
});

const text =
  (status: number, body: string, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res
      .writeHead(status, { 'content-type': 'text/plain', ...headers })
      .end(body);

describe('createSsrfSafeProber against loopback servers', () => {
  it('succeeds for an allowlisted address, by IP literal and by name', async () => {
    routes.set('/ok', text(200, 'fine'));
    const byLiteral = await prober.probe(request(`${server.origin}/ok`));
    expect(byLiteral).toMatchObject({
      outcome: 'success',
      statusCode: 200,
      errorClass: null,
      message: null,
    });
    expect(byLiteral.startedAt).toBeInstanceOf(Date);
    expect(byLiteral.latencyMs).toBeGreaterThanOrEqual(0);

    const byName = await prober.probe(
      request(`http://service.test:${server.port}/ok`),
    );
    expect(byName.outcome).toBe('success');
    expect(guard.attempts).toEqual([
      { address: '127.0.0.1', port: server.port },
      { address: '127.0.0.1', port: server.port },
    ]);
  });

  it('opens a fresh connection for every probe', async () => {
    routes.set('/ok', text(200, 'fine'));
    for (let i = 0; i < 3; i++) {
      expect((await prober.probe(request(`${server.origin}/ok`))).outcome).toBe(
        'success',
      );
    }
    expect(server.connections).toBe(3);
  });

  it('checks the status against ranges and lists', async () => {
    routes.set('/503', text(503, 'down'));
    routes.set('/204', (res: ServerResponse) => res.writeHead(204).end());
    const failed = await prober.probe(request(`${server.origin}/503`));
    expect(failed).toMatchObject({
      outcome: 'failure',
      errorClass: 'status',
      statusCode: 503,
      message: 'status 503 not in 200-299',
    });
    expect(
      (
        await prober.probe(
          request(`${server.origin}/503`, { expectedStatus: '200, 500-503' }),
        )
      ).outcome,
    ).toBe('success');
    expect(
      (
        await prober.probe(
          request(`${server.origin}/204`, { expectedStatus: '200' }),
        )
      ).message,
    ).toBe('status 204 not in 200');
    expect(
      (
        await prober.probe(
          request(`${server.origin}/204`, { expectedStatus: '200,204' }),
        )
      ).outcome,
    ).toBe('success');
  });

  it('checks bodyContains without quoting the body', async () => {
    routes.set('/text', text(200, 'all systems nominal, secret=hunter2'));
    expect(
      (
        await prober.probe(
          request(`${server.origin}/text`, { bodyContains: 'nominal' }),
        )
      ).outcome,
    ).toBe('success');
    const failed = await prober.probe(
      request(`${server.origin}/text`, { bodyContains: 'healthy' }),
    );
    expect(failed).toMatchObject({
      outcome: 'failure',
      errorClass: 'assertion',
      statusCode: 200,
      message: 'body does not contain the expected text',
    });
    expect(failed.message).not.toContain('hunter2');
  });

  it('checks JSON-path equality', async () => {
    routes.set(
      '/json',
      text(
        200,
        JSON.stringify({
          status: 'down',
          checks: [{ up: true }],
          long: 'x'.repeat(200),
        }),
        { 'content-type': 'application/json' },
      ),
    );
    routes.set('/html', text(200, '<html>secret page</html>'));
    const probe = (path: string, jsonPath: ProbeRequest['jsonPath']) =>
      prober.probe(request(`${server.origin}${path}`, { jsonPath }));

    expect(
      (await probe('/json', { path: '$.checks[0].up', equals: true })).outcome,
    ).toBe('success');
    expect(
      await probe('/json', { path: '$.status', equals: 'up' }),
    ).toMatchObject({
      outcome: 'failure',
      errorClass: 'assertion',
      message: '$.status is "down", expected "up"',
    });
    expect(
      (await probe('/json', { path: '$.checks[0].up', equals: 'true' }))
        .message,
    ).toBe('$.checks[0].up is true, expected "true"');
    expect(
      (await probe('/json', { path: '$.long', equals: 'y' })).message,
    ).toBe('$.long differs from the expected "y"');
    expect(
      (await probe('/json', { path: '$.missing', equals: null })).message,
    ).toBe('$.missing is missing, expected null');
    const notJson = await probe('/html', { path: '$.status', equals: 'up' });
    expect(notJson).toMatchObject({
      errorClass: 'assertion',
      message: 'body is not JSON, so $.status cannot be read',
    });
  });

  it('is degraded when slower than degradedLatencyMs', async () => {
    routes.set('/slow', res => {
      setTimeout(() => res.writeHead(200).end('late'), 150);
    });
    const slow = await prober.probe(
      request(`${server.origin}/slow`, { degradedLatencyMs: 50 }),
    );
    expect(slow).toMatchObject({
      outcome: 'degraded',
      errorClass: null,
      statusCode: 200,
    });
    expect(slow.latencyMs).toBeGreaterThanOrEqual(140);
    const relaxed = await prober.probe(
      request(`${server.origin}/slow`, { degradedLatencyMs: 5_000 }),
    );
    expect(relaxed.outcome).toBe('success');
  });

  it('measures latency with the injected clock, up to the end of the body', async () => {
    const times = [1_000_000, 1_000_250];
    const clocked = createSsrfSafeProber({
      policy,
      maxRedirects: 0,
      now: () => times.shift() ?? 0,
    });
    routes.set('/ok', text(200, 'fine'));
    try {
      const result = await clocked.probe(
        request(`${server.origin}/ok`, { degradedLatencyMs: 249 }),
      );
      expect(result).toMatchObject({
        outcome: 'degraded',
        latencyMs: 250,
        startedAt: new Date(1_000_000),
      });
    } finally {
      await clocked.close();
    }
  });

  it('times out across the whole probe when the server never answers', async () => {
    routes.set('/hang', () => undefined);
    const started = Date.now();
    const result = await prober.probe(
      request(`${server.origin}/hang`, { timeoutMs: 200 }),
    );
    expect(result).toMatchObject({
      outcome: 'failure',
      errorClass: 'timeout',
      statusCode: null,
      message: 'no complete answer within 200 ms',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.latencyMs).toBeGreaterThanOrEqual(190);
  });

  it('times out when redirects together take too long', async () => {
    // Each hop answers well within the limit; together they exceed it.
    routes.set('/slow-redirect', res => {
      setTimeout(
        () => res.writeHead(302, { location: '/slow-redirect' }).end(),
        150,
      );
    });
    const result = await prober.probe(
      request(`${server.origin}/slow-redirect`, { timeoutMs: 400 }),
    );
    expect(result.errorClass).toBe('timeout');
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('times out when the body never ends', async () => {
    routes.set('/trickle', res => {
      res.writeHead(200);
      res.write('starting...');
    });
    const result = await prober.probe(
      request(`${server.origin}/trickle`, { timeoutMs: 200 }),
    );
    expect(result).toMatchObject({ errorClass: 'timeout', statusCode: null });
  });

  it('fails with connect on a closed port', async () => {
    const port = await closedLoopbackPort();
    const result = await prober.probe(request(`http://127.0.0.1:${port}/`));
    expect(result).toMatchObject({
      outcome: 'failure',
      errorClass: 'connect',
      message: `connection to 127.0.0.1:${port} failed (ECONNREFUSED)`,
    });
  });

  it('fails with dns when the name does not resolve', async () => {
    const dnsProber = createSsrfSafeProber({
      policy,
      maxRedirects: 0,
      lookup: fakeLookup(
        Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), {
          code: 'ENOTFOUND',
        }),
      ),
    });
    try {
      const result = await dnsProber.probe(request('http://nowhere.test/'));
      expect(result).toMatchObject({
        outcome: 'failure',
        errorClass: 'dns',
        message: 'nowhere.test did not resolve (ENOTFOUND)',
      });
      expect(guard.attempts).toEqual([]);
    } finally {
      await dnsProber.close();
    }
  });

  it('fails with tls when the server does not speak TLS', async () => {
    routes.set('/ok', text(200, 'fine'));
    const result = await prober.probe(
      request(`https://127.0.0.1:${server.port}/ok`),
    );
    expect(result).toMatchObject({ outcome: 'failure', errorClass: 'tls' });
  });

  it('reads at most 1 MiB of a 5 MiB body, and assertions see only that', async () => {
    const mib = 1024 * 1024;
    routes.set('/big', res => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // 1 MiB of padding, a marker just inside it, then 4 MiB more and a
      // marker far past the cap.
      res.write(`${'a'.repeat(mib - 20)}EARLY-MARKER`);
      res.write('b'.repeat(4 * mib));
      res.end('LATE-MARKER');
    });
    routes.set('/endless', res => {
      // 1 MiB and a bit, then nothing more, never ending.
      res.writeHead(200);
      res.write('c'.repeat(mib + 10));
    });
    const early = await prober.probe(
      request(`${server.origin}/big`, { bodyContains: 'EARLY-MARKER' }),
    );
    expect(early.outcome).toBe('success');
    const late = await prober.probe(
      request(`${server.origin}/big`, { bodyContains: 'LATE-MARKER' }),
    );
    expect(late).toMatchObject({
      outcome: 'failure',
      errorClass: 'assertion',
      message: `body does not contain the expected text (in the first ${mib} bytes read)`,
    });
    // Stopping at the cap is what lets this end before its timeout.
    const endless = await prober.probe(
      request(`${server.origin}/endless`, { timeoutMs: 3_000 }),
    );
    expect(endless.outcome).toBe('success');
  });

  it('follows redirects (relative and absolute) and checks the final answer', async () => {
    routes.set('/a', text(301, '', { location: '/b' }));
    routes.set('/b', text(302, '', { location: `${server.origin}/c` }));
    routes.set('/c', text(200, 'here', {}));
    const result = await prober.probe(
      request(`${server.origin}/a`, { bodyContains: 'here' }),
    );
    expect(result).toMatchObject({ outcome: 'success', statusCode: 200 });
    expect(server.requests).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });

  it('answers with the redirect itself when the check expects it', async () => {
    routes.set('/moved', text(301, '', { location: '/elsewhere' }));
    const result = await prober.probe(
      request(`${server.origin}/moved`, { expectedStatus: '301' }),
    );
    expect(result).toMatchObject({ outcome: 'success', statusCode: 301 });
    expect(server.requests).toEqual(['GET /moved']);
  });

  it('fails with status after maxRedirects redirects', async () => {
    routes.set('/loop', text(307, '', { location: '/loop' }));
    const result = await prober.probe(request(`${server.origin}/loop`));
    expect(result).toMatchObject({
      outcome: 'failure',
      errorClass: 'status',
      statusCode: 307,
      message:
        'status 307 redirects more than 2 time(s) (opshub.health.maxRedirects)',
    });
    // The first request and two redirects followed.
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a redirect to a non-http URL', async () => {
    routes.set('/ftp', text(302, '', { location: 'ftp://example.test/' }));
    const result = await prober.probe(request(`${server.origin}/ftp`));
    expect(result).toMatchObject({
      errorClass: 'status',
      message:
        'status 302 redirects to a ftp URL (only http and https are followed)',
    });
  });

  it('blocks a redirect to 169.254.169.254 without a second connection', async () => {
    routes.set(
      '/meta',
      text(302, '', { location: 'http://169.254.169.254/latest/meta-data/' }),
    );
    const result = await prober.probe(request(`${server.origin}/meta`));
    expect(result).toMatchObject({
      outcome: 'failure',
      errorClass: 'blocked',
      message:
        '169.254.169.254 is link-local (allow it through opshub.health.allowedNetworks)',
    });
    expect(guard.attempts).toEqual([
      { address: '127.0.0.1', port: server.port },
    ]);
  });

  it('blocks a redirect to a name resolving to 10.0.0.1 without a second connection', async () => {
    const lookup = fakeLookup('127.0.0.1', '10.0.0.1');
    const redirecting = createSsrfSafeProber({
      policy,
      maxRedirects: 5,
      lookup,
    });
    routes.set(
      '/internal',
      text(302, '', { location: 'http://internal.test/admin' }),
    );
    try {
      const result = await redirecting.probe(
        request(`http://service.test:${server.port}/internal`),
      );
      expect(result).toMatchObject({
        outcome: 'failure',
        errorClass: 'blocked',
        message:
          'internal.test resolves to a refused address: 10.0.0.1 is private (RFC 1918) (allow it through opshub.health.allowPrivateNetworks or opshub.health.allowedNetworks)',
      });
      expect(lookup.calls).toEqual(['service.test', 'internal.test']);
      expect(guard.attempts).toEqual([
        { address: '127.0.0.1', port: server.port },
      ]);
    } finally {
      await redirecting.close();
    }
  });

  it('DNS rebinding: the address connected to is the one checked', async () => {
    routes.set('/ok', text(200, 'fine'));
    // Answers 127.0.0.1 (allowed) first, 10.0.0.1 (refused) from then on.
    const rebinding = fakeLookup('127.0.0.1', '10.0.0.1');
    const rebound = createSsrfSafeProber({
      policy,
      maxRedirects: 0,
      lookup: rebinding,
    });
    const url = `http://rebind.test:${server.port}/ok`;
    try {
      // The first probe connects to the harmless answer.
      expect((await rebound.probe(request(url))).outcome).toBe('success');
      // Had anyone pre-checked the name now, it would have looked harmless
      // (the answer the first probe got); the next connect resolves again
      // and sees the refused answer.
      const second = await rebound.probe(request(url));
      expect(second).toMatchObject({
        outcome: 'failure',
        errorClass: 'blocked',
      });
      expect(second.message).toMatch(
        /rebind\.test resolves to a refused address: 10\.0\.0\.1/,
      );
      expect(rebinding.calls).toEqual(['rebind.test', 'rebind.test']);
      expect(guard.attempts).toEqual([
        { address: '127.0.0.1', port: server.port },
      ]);
      expect(server.connections).toBe(1);
    } finally {
      await rebound.close();
    }
  });

  it('DNS rebinding: a pre-check that saw a harmless answer does not let the connect through', async () => {
    const rebinding = fakeLookup('127.0.0.1', '10.0.0.1');
    // A pre-check (as a naive client would do) resolves the name first...
    const preChecked = await new Promise<string>((resolve, reject) =>
      rebinding('rebind.test', {}, (error, address) =>
        error ? reject(error) : resolve(address as string),
      ),
    );
    expect(policy.refusalOf(preChecked)).toBeUndefined();
    // ...and the connect's own resolution is the one that counts.
    const rebound = createSsrfSafeProber({
      policy,
      maxRedirects: 0,
      lookup: rebinding,
    });
    try {
      const result = await rebound.probe(
        request(`http://rebind.test:${server.port}/`),
      );
      expect(result.errorClass).toBe('blocked');
      expect(guard.attempts).toEqual([]);
    } finally {
      await rebound.close();
    }
  });

  it('HEAD reads no body', async () => {
    routes.set('/head', (res: ServerResponse) =>
      res.writeHead(200, { 'content-length': '5' }).end('hello'),
    );
    const result = await prober.probe(
      request(`${server.origin}/head`, { method: 'HEAD' }),
    );
    expect(result).toMatchObject({ outcome: 'success', statusCode: 200 });
    expect(server.requests).toEqual(['HEAD /head']);
  });

  it('rethrows when the caller aborts (not a result of the target)', async () => {
    routes.set('/hang', () => undefined);
    const controller = new AbortController();
    const probing = prober.probe(
      request(`${server.origin}/hang`, { timeoutMs: 5_000 }),
      controller.signal,
    );
    await sleep(50);
    controller.abort(new Error('shutting down'));
    await expect(probing).rejects.toThrow('shutting down');
  });
});

describe('createSsrfSafeProber sends the check headers', () => {
  const checkHeaders = {
    Authorization: 'Bearer s3cr3t-token',
    'X-Tenant': 'storefront',
  };

  it("to the URL, a check header replacing OpsHub's own of the same name", async () => {
    routes.set('/ok', text(200, 'fine'));
    const result = await prober.probe(
      request(`${server.origin}/ok`, {
        headers: { ...checkHeaders, 'User-Agent': 'storefront-monitor/1' },
      }),
    );
    expect(result.outcome).toBe('success');
    expect(received).toHaveLength(1);
    expect(received[0].headers).toMatchObject({
      authorization: 'Bearer s3cr3t-token',
      'x-tenant': 'storefront',
      'user-agent': 'storefront-monitor/1',
    });
  });

  it('again after a redirect within the origin', async () => {
    routes.set('/a', text(302, '', { location: '/b' }));
    routes.set('/b', text(200, 'here'));
    await prober.probe(
      request(`${server.origin}/a`, { headers: checkHeaders }),
    );
    expect(received.map(r => [r.path, r.headers.authorization])).toEqual([
      ['/a', 'Bearer s3cr3t-token'],
      ['/b', 'Bearer s3cr3t-token'],
    ]);
  });

  it('never after a redirect to another origin (another port, or another host on the same port)', async () => {
    const elsewhere: IncomingHttpHeaders[] = [];
    const other = await startLoopbackServer((req, res) => {
      elsewhere.push(req.headers);
      res.writeHead(200).end('elsewhere');
    });
    try {
      routes.set('/away', text(302, '', { location: `${other.origin}/x` }));
      const away = await prober.probe(
        request(`${server.origin}/away`, { headers: checkHeaders }),
      );
      expect(away).toMatchObject({ outcome: 'success', statusCode: 200 });
      expect(received[0].headers.authorization).toBe('Bearer s3cr3t-token');
      expect(elsewhere).toHaveLength(1);
      expect(elsewhere[0].authorization).toBeUndefined();
      expect(elsewhere[0]['x-tenant']).toBeUndefined();
      expect(elsewhere[0]['user-agent']).toBe('OpsHub-Health');

      // service.test and 127.0.0.1 are different origins on one server.
      routes.set(
        '/literal',
        text(302, '', { location: `${server.origin}/ok` }),
      );
      routes.set('/ok', text(200, 'fine'));
      received.splice(0);
      await prober.probe(
        request(`http://service.test:${server.port}/literal`, {
          headers: checkHeaders,
        }),
      );
      expect(received.map(r => [r.path, r.headers.authorization])).toEqual([
        ['/literal', 'Bearer s3cr3t-token'],
        ['/ok', undefined],
      ]);
    } finally {
      await other.close();
    }
  });

  it('fails without quoting a value fetch refuses to send', async () => {
    routes.set('/ok', text(200, 'fine'));
    const result = await prober.probe(
      request(`${server.origin}/ok`, {
        headers: { 'X-Token': 's3cr3t-token\r\nX-Injected: 1' },
      }),
    );
    // undici's own error quotes the value; the message is built from codes.
    expect(result).toMatchObject({
      outcome: 'failure',
      errorClass: 'connect',
      message: `connection to 127.0.0.1:${server.port} failed (TypeError)`,
    });
    expect(received).toEqual([]);
  });
});
