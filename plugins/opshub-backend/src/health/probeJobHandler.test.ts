import type { IncomingHttpHeaders } from 'node:http';
import type { Job } from '../queue/types';
import { useConnectionGuard } from './__testUtils__/connectionGuard';
import {
  fakeLookup,
  type LoopbackServer,
  startLoopbackServer,
} from './__testUtils__/loopbackServers';
import type { ResolveHeaders } from './headers/resolveHeaders';
import type { ProbeToApply } from './HealthStore';
import { createHostLimiter } from './hostLimiter';
import { NetworkPolicy } from './probe/networkPolicy';
import { createSsrfSafeProber } from './probe/ssrfSafeProber';
import { probeRequest } from './probe/__testUtils__/probeRequests';
import { probeJobHandler } from './probeJobHandler';
import type { ProbeJobPayload } from './probeJobs';

const guard = useConnectionGuard();
const ENTITY = 'component:default/storefront';
const T0 = Date.UTC(2026, 11, 1, 12);

let server: LoopbackServer;
const received: IncomingHttpHeaders[] = [];
const prober = createSsrfSafeProber({
  policy: new NetworkPolicy({
    allowPrivateNetworks: false,
    allowedNetworks: ['127.0.0.1/32'],
  }),
  maxRedirects: 0,
  lookup: fakeLookup('127.0.0.1'),
});
beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200).end('ok');
  });
});
afterAll(async () => {
  await prober.close();
  await server.close();
});
beforeEach(() => received.splice(0));

/** Runs the handler on one job; what it applied and what it resolved. */
async function run(
  jobPayload: ProbeJobPayload,
  resolveHeaders: ResolveHeaders,
) {
  const applied: ProbeToApply[] = [];
  const handler = probeJobHandler({
    prober,
    hosts: createHostLimiter(4),
    resolveHeaders,
    apply: async probe => {
      applied.push(probe);
      return { entityRef: ENTITY, changed: false };
    },
    changed: () => undefined,
    now: () => T0,
  });
  await handler({
    job: { payload: jobPayload } as Job<ProbeJobPayload>,
    signal: new AbortController().signal,
  });
  return applied;
}

function payload(probe: ProbeJobPayload['probe']): ProbeJobPayload {
  return { checkId: '7', entityRef: ENTITY, dueAtMs: T0, version: 1, probe };
}

describe('probeJobHandler', () => {
  it("sends the headers resolved from the payload's templates for the check's entity", async () => {
    const calls: unknown[] = [];
    const templates = { Authorization: 'Bearer ${env:API_TOKEN}' };
    const applied = await run(
      payload(probeRequest(`${server.origin}/`, { headers: templates })),
      async (entityRef, headers) => {
        calls.push([entityRef, headers]);
        return { headers: { Authorization: 'Bearer resolved-value' } };
      },
    );
    expect(calls).toEqual([[ENTITY, templates]]);
    expect(received.map(h => h.authorization)).toEqual([
      'Bearer resolved-value',
    ]);
    expect(applied).toEqual([
      {
        checkId: '7',
        version: 1,
        result: expect.objectContaining({ outcome: 'success' }),
      },
    ]);
  });

  it('fails the probe as blocked, sending nothing, when the headers cannot be resolved', async () => {
    const failure =
      'header Authorization: ${env:API_TOKEN} is not a variable of component:default/storefront in its production environment';
    const applied = await run(
      payload(
        probeRequest(`${server.origin}/`, {
          headers: { Authorization: 'Bearer ${env:API_TOKEN}' },
        }),
      ),
      async () => ({ failure }),
    );
    expect(applied).toEqual([
      {
        checkId: '7',
        version: 1,
        result: {
          outcome: 'failure',
          startedAt: new Date(T0),
          latencyMs: 0,
          statusCode: null,
          errorClass: 'blocked',
          message: failure,
        },
      },
    ]);
    expect(received).toEqual([]);
    expect(guard.attempts).toEqual([]);
  });

  it('probes a job enqueued before headers existed as one without them', async () => {
    const { headers, certExpiryDays, ...older } = probeRequest(
      `${server.origin}/`,
    );
    const calls: unknown[] = [];
    const applied = await run(
      {
        checkId: '7',
        dueAtMs: T0,
        version: 1,
        probe: older as ProbeJobPayload['probe'],
      },
      async (entityRef, templates) => {
        calls.push([entityRef, templates]);
        return { headers: templates };
      },
    );
    expect(calls).toEqual([['', {}]]);
    expect(applied[0].result).toMatchObject({
      outcome: 'success',
      message: null,
    });
    expect(received).toHaveLength(1);
  });
});
