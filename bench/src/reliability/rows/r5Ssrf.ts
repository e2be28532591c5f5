/*
 * R5 SSRF: the health prober's refused-address matrix through OpsHub's
 * real routes, in-process. Each name of the matrix is a health check
 * created with POST .../health/checks whose host resolves (injected name
 * resolution: the process's dns.lookup answers the matrix's addresses for
 * `*.r5.test`) to a refused address; the health schedule task enqueues its
 * probe and the health queue runs it; the sample the API lists must be
 * `blocked`. Each IP-literal URL of the matrix must be refused by POST and
 * PATCH (400) and stored nowhere. Meanwhile every TCP connect of the
 * process is counted: none may go anywhere but the backend's own port, and
 * the loopback guard must refuse nothing.
 */
import dns, { type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ENTITIES,
  as,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import { opsHubBackendFeatures } from '@opshub/plugin-opshub-backend/src/__testUtils__/testBackend';
import { interceptTcpConnects } from '@opshub/plugin-opshub-backend/src/health/__testUtils__/tcpConnects';
import {
  ALWAYS_REFUSED,
  MIXED,
  PRIVATE,
  REFUSED_LITERAL_URLS,
} from '@opshub/plugin-opshub-backend/src/health/probe/__testUtils__/ssrfMatrix';
import request from 'supertest';
import { violations } from '../loopbackGuard';
import { exactly, type Row } from '../row';
import { memoryDatabase } from '../inProcess/memoryDatabase';

const CHECKS =
  '/api/opshub/entities/component/default/storefront/health/checks';
const CALLER = as('user:default/alice');
/** Nothing listens there; nothing may try. */
const PROBE_PORT = 8080;
const INTERVAL_MS = 1_000;

/** The matrix's names: one host per answer (a list: several addresses). */
const NAMED: Array<string | string[]> = [...ALWAYS_REFUSED, ...PRIVATE, MIXED];
const hostOf = (index: number) => `target-${index}.r5.test`;

/**
 * dns.lookup answering the matrix for `*.r5.test` and asking `fallback`
 * (the guarded resolver) for any other name; `asked` counts the matrix's
 * names resolved.
 */
function matrixLookup(fallback: LookupFunction) {
  const asked = new Map<string, number>();
  const lookup = ((hostname: string, options: unknown, callback: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (
      error: Error | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    const opts = (typeof options === 'function' ? {} : options) as {
      all?: boolean;
    };
    const match = /^target-(\d+)\.r5\.test$/.exec(hostname);
    if (!match) {
      (fallback as any)(hostname, options, callback);
      return;
    }
    asked.set(hostname, (asked.get(hostname) ?? 0) + 1);
    const answer = NAMED[Number(match[1])];
    const addresses = (Array.isArray(answer) ? answer : [answer]).map(
      address => ({ address, family: isIP(address) }),
    );
    process.nextTick(() =>
      opts.all
        ? done(null, addresses)
        : done(null, addresses[0].address, addresses[0].family),
    );
  }) as unknown as LookupFunction;
  return { lookup, asked };
}

export const row: Row = {
  id: 'R5',
  title: 'SSRF',
  budgetMs: () => 30_000,
  async run({ log }) {
    const knex = await memoryDatabase();
    const scheduler = mockServices.scheduler();
    const guardRefusalsBefore = violations().length;
    // The prober takes the process's resolver when the plugin starts.
    const original = dns.lookup;
    const { lookup, asked } = matrixLookup(original as LookupFunction);
    (dns as { lookup: unknown }).lookup = lookup;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    try {
      backend = await startTestBackend({
        features: opsHubBackendFeatures({
          knex,
          entities: ENTITIES,
          config: {
            health: {
              minInterval: { milliseconds: INTERVAL_MS },
              previews: { enabled: false },
            },
          },
          // Tasks run only when triggered below.
          extra: [
            createServiceFactory({
              service: coreServices.scheduler,
              deps: {},
              factory: () => scheduler,
            }),
          ],
        }),
      });
    } finally {
      (dns as { lookup: unknown }).lookup = original;
    }
    const server = backend.server;
    const backendPort = server.port();
    const connects: string[] = [];
    const stopCounting = interceptTcpConnects(({ address, port }) => {
      if (port !== backendPort) connects.push(`${address}:${port}`);
      return undefined;
    });
    try {
      const create = (url: string, name: string) =>
        request(server)
          .post(CHECKS)
          .set(CALLER)
          .send({ name, url, intervalMs: INTERVAL_MS, timeoutMs: 2_000 });

      const ids = new Map<number, string>();
      for (let i = 0; i < NAMED.length; i++) {
        const res = await create(
          `http://${hostOf(i)}:${PROBE_PORT}/health`,
          `named-${i}`,
        );
        if (res.status !== 201) {
          throw new Error(`creating check ${i}: ${res.status} ${res.text}`);
        }
        ids.set(i, String(res.body.id));
      }

      // IP literals: refused by the route, created and changed alike.
      const refusedByRoute: string[] = [];
      const [someId] = ids.values();
      for (const url of REFUSED_LITERAL_URLS) {
        const created = await create(url, `literal ${url}`);
        const patched = await request(server)
          .patch(`${CHECKS}/${someId}`)
          .set(CALLER)
          .send({ url });
        if (created.status === 400 && patched.status === 400) {
          refusedByRoute.push(url);
        } else {
          log(`${url}: POST ${created.status}, PATCH ${patched.status}`);
        }
      }
      const stored = new Set(
        (await knex('health_checks').select('url')).map(r => r.url),
      );
      const literalsRefused = refusedByRoute.filter(
        url => !stored.has(url),
      ).length;

      // Names: probed by the health queue, each sample must be `blocked`.
      const outcomes = new Map<
        number,
        { errorClass: string; message: string }
      >();
      const deadline = Date.now() + 15_000;
      while (outcomes.size < ids.size && Date.now() < deadline) {
        await scheduler.triggerTask('opshub-health-schedule');
        for (const [i, id] of ids) {
          if (outcomes.has(i)) continue;
          const res = await request(server)
            .get(`${CHECKS}/${id}/samples`)
            .set(CALLER);
          const [sample] = res.body.items ?? res.body ?? [];
          if (sample) outcomes.set(i, sample);
        }
        if (outcomes.size < ids.size) {
          await new Promise(resolve => setTimeout(resolve, 200));
        }
      }
      let namesRefused = 0;
      for (let i = 0; i < NAMED.length; i++) {
        const sample = outcomes.get(i);
        // `blocked` is the class of the network policy's refusals alone.
        const blocked =
          sample?.errorClass === 'blocked' && (asked.get(hostOf(i)) ?? 0) > 0;
        if (blocked) namesRefused += 1;
        else log(`${NAMED[i]}: ${JSON.stringify(sample ?? 'never probed')}`);
      }

      const guardRefusals = violations().length - guardRefusalsBefore;
      const total = NAMED.length + REFUSED_LITERAL_URLS.length;
      const refusedCount = namesRefused + literalsRefused;
      log(
        `${NAMED.length} names (${namesRefused} probes blocked, ${[
          ...asked.values(),
        ].reduce((a, b) => a + b, 0)} lookups), ${
          REFUSED_LITERAL_URLS.length
        } IP literals (${literalsRefused} refused by POST and PATCH and stored nowhere)`,
      );
      log(
        `connections other than to the backend: ${connects.length}${
          connects.length ? ` (${connects.slice(0, 5).join(', ')})` : ''
        }; loopback guard refusals: ${guardRefusals}`,
      );
      return [
        {
          name: 'addresses refused',
          goal: `${total} of ${total}`,
          result: `${refusedCount} of ${total}`,
          pass: refusedCount === total,
        },
        exactly('connections attempted', 0, connects.length + guardRefusals),
      ];
    } finally {
      stopCounting();
      await backend.stop();
      await knex.destroy();
    }
  },
};
