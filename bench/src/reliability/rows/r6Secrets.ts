/*
 * R6 secrets: one whole run of OpsHub in-process writes environment
 * variables (set, changed, sensitive, a branch override, a dotenv import, a
 * version restored, one deleted), a health check whose header references
 * one (`${env:TOKEN}`, probed against a loopback target), then restarts
 * with a new encryption key and rotates every value to it, reveals,
 * exports and lists the names over MCP (`list-env-var-names`). Every
 * plaintext carries one random tag; the tag is then searched in everything
 * the run let out: every log line, every auditor event, every table of the
 * plugin's database (activity and jobs included) and every HTTP response
 * but those of reveal and export, whose business is the plaintext.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestBackend } from '@backstage/backend-test-utils';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import {
  actionsBackendFeatures,
  invokeAction,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/actionsBackend';
import { as } from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import {
  capturingAuditorFactory,
  capturingLogger,
  dumpTables,
  loggerFactories,
  printable,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/secretScan';
import { DatabaseRoleAssignmentStore } from '@opshub/plugin-opshub-backend/src/rbac/DatabaseRoleAssignmentStore';
import type { Knex } from 'knex';
import request from 'supertest';
import { exactly, type Row } from '../row';
import { memoryDatabase } from '../inProcess/memoryDatabase';

const ROOT = as('user:default/root');
const ENTITY = '/api/opshub/entities/component/default/storefront';
const BASE = `${ENTITY}/envvars`;
const key = (id: string) => ({
  id,
  secret: randomBytes(32).toString('base64'),
});

/** A loopback target recording the headers of each probe. */
async function probeTarget() {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    received,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/** Where the run's text went; reveal and export answers kept apart. */
interface Captured {
  logs: string[];
  audits: string[];
  responses: string[];
  revealed: string[];
}

function startOpsHub(knex: Knex, keys: object[], captured: Captured) {
  return startTestBackend({
    features: actionsBackendFeatures({
      knex,
      opshub: {
        encryption: { keys },
        health: {
          minInterval: { seconds: 1 },
          allowedNetworks: ['127.0.0.1/32'],
          previews: { enabled: false },
        },
        queue: { pollInterval: { milliseconds: 50 } },
      },
      extra: [
        capturingAuditorFactory(captured.audits),
        ...loggerFactories(capturingLogger(captured.logs)),
      ],
    }),
  });
}

type Server = Parameters<typeof request>[0];

/** Sends a request as the org owner and keeps its answer where it belongs. */
function caller(server: () => Server, captured: Captured) {
  return async (
    send: (agent: ReturnType<typeof request>) => request.Test,
    kind: 'plain' | 'reveal' = 'plain',
  ) => {
    const res = await send(request(server())).set(ROOT);
    (kind === 'reveal' ? captured.revealed : captured.responses).push(
      `${res.status} ${res.text} ${printable(res.headers)}`,
    );
    return res;
  };
}

async function poll<T>(what: string, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

export const row: Row = {
  id: 'R6',
  title: 'secrets',
  budgetMs: () => 40_000,
  async run({ log }) {
    const knex = await memoryDatabase();
    await new DatabaseRoleAssignmentStore(knex).add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'user:default/root',
      role: 'owner',
      createdBy: 'r6',
    });
    const tag = randomBytes(6).toString('hex');
    const secret = (n: number) => `opshub-secret-${tag}-${n}`;
    const captured: Captured = {
      logs: [],
      audits: [],
      responses: [],
      revealed: [],
    };
    const target = await probeTarget();
    const [oldKey, newKey] = [key('r6-old'), key('r6-new')];
    let backend = await startOpsHub(knex, [oldKey], captured);
    const call = caller(() => backend.server, captured);
    const failures: string[] = [];
    const expect = (what: string, status: number, res: { status: number }) => {
      if (res.status !== status) failures.push(`${what}: ${res.status}`);
    };
    try {
      // Variables: set, changed, sensitive, a branch's, imported, restored.
      const put = (path: string, body: object) =>
        call(a => a.put(`${BASE}/${path}`).send(body));
      expect(
        'set',
        201,
        await put('development/API_URL', { value: secret(1) }),
      );
      expect(
        'change',
        200,
        await put('development/API_URL', { value: secret(2) }),
      );
      expect(
        'sensitive',
        201,
        await put('production/TOKEN', { value: secret(3), sensitive: true }),
      );
      expect(
        'branch',
        201,
        await put('preview/API_URL?branch=feature/x', { value: secret(4) }),
      );
      expect(
        'refused',
        400,
        await put('development/lower', { value: secret(5) }),
      );
      expect(
        'import',
        200,
        await call(a =>
          a
            .post(`${BASE}/development/import`)
            .type('text/plain')
            .send(`IMPORTED=${secret(6)}\nOTHER='${secret(7)}'\n`),
        ),
      );
      expect(
        'restore',
        200,
        await call(a =>
          a.post(`${BASE}/development/API_URL/versions/1/restore`),
        ),
      );
      expect(
        'versions',
        200,
        await call(a => a.get(`${BASE}/development/API_URL/versions`)),
      );
      expect(
        'delete',
        200,
        await call(a => a.delete(`${BASE}/development/OTHER`)),
      );
      // A health check sending the sensitive one in a header.
      const check = await call(a =>
        a.post(`${ENTITY}/health/checks`).send({
          name: 'with a token',
          url: target.url,
          intervalMs: 1_000,
          headers: { Authorization: 'Bearer ${env:TOKEN}' },
        }),
      );
      expect('health check', 201, check);
      await backend.stop();

      // A new key: the restart schedules the due probe, the rotation
      // re-seals every value with the new key.
      backend = await startOpsHub(knex, [newKey, oldKey], captured);
      expect(
        'rotate',
        202,
        await call(a => a.post('/api/opshub/org/encryption/rotate')),
      );
      await poll('the rotation', async () => {
        const res = await call(a => a.get('/api/opshub/org/encryption'));
        const values = res.body.values ?? {};
        return values[oldKey.id] === undefined && values[newKey.id] > 0
          ? true
          : undefined;
      });
      await poll('the probe with the token', async () =>
        target.received.some(h => h.authorization === `Bearer ${secret(3)}`)
          ? true
          : undefined,
      );
      const reveal = await call(
        a => a.post(`${BASE}/development/API_URL/reveal`),
        'reveal',
      );
      const exported = await call(
        a => a.get(`${BASE}/development/export`),
        'reveal',
      );
      await call(a => a.get(`${BASE}/production/export`), 'reveal');
      await call(a => a.get(BASE));
      await call(a => a.get(`${ENTITY}/health`));
      await call(a =>
        a.get(`${ENTITY}/health/checks/${check.body.id}/samples`),
      );
      await call(a => a.get(`${ENTITY}/activity`));
      await call(a => a.get('/api/opshub/org/activity'));
      await call(a => a.get('/api/opshub/queue/jobs'));
      const names = await invokeAction(
        backend.server,
        'list-env-var-names',
        { entityRef: 'component:default/storefront' },
        ROOT,
      );
      captured.responses.push(`${names.status} ${names.text}`);
      expect('list-env-var-names', 200, names);
      await backend.stop();

      const tables = await dumpTables(knex);
      const haystacks: Record<string, string[]> = {
        'log lines': captured.logs,
        'auditor events': captured.audits,
        responses: captured.responses,
        ...Object.fromEntries(
          [...tables].map(([table, text]) => [`table ${table}`, [text]]),
        ),
      };
      const hits: string[] = [];
      for (const [place, texts] of Object.entries(haystacks)) {
        for (const text of texts) {
          // The random tag alone: no part of any value may show.
          for (
            let at = text.indexOf(tag);
            at >= 0;
            at = text.indexOf(tag, at + 1)
          ) {
            hits.push(
              `${place}: …${text.slice(Math.max(0, at - 120), at + 30)}`,
            );
          }
        }
      }
      // Version 1 was restored.
      const revealedAfterRotation = reveal.body?.value === secret(1);
      if (!revealedAfterRotation) failures.push(`reveal: ${reveal.status}`);
      const sensitiveExported = exported.text.includes(secret(3)) ? 1 : 0;
      for (const line of [...failures, ...hits].slice(0, 10)) log(line);
      log(
        `scanned ${captured.logs.length} log lines, ${
          captured.audits.length
        } auditor lines, ${captured.responses.length} responses, ${
          tables.size
        } tables (${[...tables.values()].reduce(
          (n, t) => n + t.split('\n').length,
          0,
        )} values, activity and jobs included); ${
          captured.revealed.length
        } reveal/export answers left out; the probe target got the token ${
          target.received.filter(h => h.authorization === `Bearer ${secret(3)}`)
            .length
        } time(s)`,
      );
      return [
        exactly('hits outside reveal and export', 0, hits.length),
        exactly('sensitive values exported', 0, sensitiveExported),
        {
          name: 'the run as planned (statuses, reveal after rotation)',
          goal: 'yes',
          result: failures.length === 0 && revealedAfterRotation ? 'yes' : 'no',
          pass: failures.length === 0 && revealedAfterRotation,
        },
      ];
    } finally {
      await backend.stop();
      await target.close();
      await knex.destroy();
    }
  },
};
