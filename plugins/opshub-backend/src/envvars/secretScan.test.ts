import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend } from '../__testUtils__/rbacBackend';
import {
  capturingAuditorFactory,
  capturingLogger,
  dumpTables,
  loggerFactories,
  printable,
} from '../__testUtils__/secretScan';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ROOT = as('user:default/root');
const BASE = '/api/opshub/entities/component/default/storefront/envvars';
const KEY = { id: 'k1', secret: randomBytes(32).toString('base64') };

describe.each(databases.eachSupportedId())('env-var secrets on %s', id => {
  async function setup(opshub: Record<string, unknown> = {}) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    await new DatabaseRoleAssignmentStore(knex).add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'user:default/root',
      role: 'owner',
      createdBy: 'test',
    });
    const logs: string[] = [];
    const audits: string[] = [];
    const server = await startRbacBackend({
      knex,
      opshub: { encryption: { keys: [KEY] }, ...opshub },
      extra: [
        capturingAuditorFactory(audits),
        ...loggerFactories(capturingLogger(logs)),
      ],
    });
    return { knex, server, logs, audits };
  }

  it('never lets a plaintext out but through reveal and export', async () => {
    const { knex, server, logs, audits } = await setup();
    const tag = randomBytes(6).toString('hex');
    const secret = (n: number) => `opshub-secret-${tag}-${n}`;
    const bodies: string[] = [];
    const revealed: string[] = [];
    const call = async (
      req: request.Test,
      expected: number,
      kind: 'plain' | 'reveal' = 'plain',
    ) => {
      const res = await req.set(ROOT);
      expect({ url: req.url, status: res.status }).toEqual({
        url: req.url,
        status: expected,
      });
      (kind === 'reveal' ? revealed : bodies).push(
        `${res.text} ${printable(res.headers)}`,
      );
      return res;
    };
    const srv = () => request(server);

    await call(
      srv()
        .put(`${BASE}/development/API_URL`)
        .send({ value: secret(1) }),
      201,
    );
    await call(
      srv()
        .put(`${BASE}/development/API_URL`)
        .send({ value: secret(2) }),
      200,
    );
    await call(
      srv()
        .put(`${BASE}/development/API_URL`)
        .send({ value: secret(2) }),
      200,
    );
    await call(
      srv()
        .put(`${BASE}/production/TOKEN`)
        .send({ value: secret(3), sensitive: true }),
      201,
    );
    await call(
      srv()
        .put(`${BASE}/production/TOKEN`)
        .send({ value: secret(4) }),
      200,
    );
    await call(
      srv()
        .put(`${BASE}/production/TOKEN`)
        .send({ value: secret(5), sensitive: false }),
      409,
    );
    await call(
      srv()
        .put(`${BASE}/preview/API_URL?branch=feature/x`)
        .send({ value: secret(6) }),
      201,
    );
    await call(
      srv()
        .put(`${BASE}/preview/API_URL?branch=x;y`)
        .send({ value: secret(7) }),
      400,
    );
    await call(
      srv()
        .put(`${BASE}/development/lower`)
        .send({ value: secret(8) }),
      400,
    );
    await call(
      srv()
        .put(`${BASE}/development/BIG`)
        .send({ value: `${secret(9)}${'x'.repeat(64 * 1024)}` }),
      400,
    );
    await call(
      srv()
        .put(`${BASE}/development/BROKEN`)
        .type('application/json')
        .send(`{"value": "${secret(10)}`),
      400,
    );
    await call(srv().post(`${BASE}/production/TOKEN/reveal`), 403);
    const reveal = await call(
      srv().post(`${BASE}/development/API_URL/reveal`),
      200,
      'reveal',
    );
    expect(reveal.body).toEqual({ value: secret(2) });
    await call(srv().get(`${BASE}/development/API_URL/versions`), 200);
    await call(
      srv().post(`${BASE}/development/API_URL/versions/1/restore`),
      200,
    );
    const dotenv = `GOOD=${secret(11)}\nbad=${secret(12)}\nQUOTED="${secret(
      13,
    )}`;
    const dry = await call(
      srv()
        .post(`${BASE}/development/import?dryRun=true`)
        .type('text/plain')
        .send(dotenv),
      200,
    );
    expect(dry.body.errors).toHaveLength(2);
    await call(
      srv().post(`${BASE}/development/import`).type('text/plain').send(dotenv),
      400,
    );
    await call(
      srv()
        .post(`${BASE}/development/import`)
        .type('text/plain')
        .send(`GOOD=${secret(11)}\nOTHER='${secret(14)}'\n`),
      200,
    );
    const exported = await call(
      srv().get(`${BASE}/production/export`),
      200,
      'reveal',
    );
    expect(exported.text).toContain('# TOKEN (sensitive, not exported)');
    const devExport = await call(
      srv().get(`${BASE}/development/export`),
      200,
      'reveal',
    );
    expect(devExport.text).toContain(`OTHER=${secret(14)}`);
    await call(srv().delete(`${BASE}/development/API_URL`), 200);
    await call(srv().get(BASE), 200);

    // Export and reveal were audited, without the value.
    expect(audits.join('\n')).toMatch(/envvar-reveal/);
    expect(audits.join('\n')).toMatch(/envvar-export/);
    const activity = await knex('activity').select('action');
    expect(activity.map(a => a.action)).toEqual(
      expect.arrayContaining([
        'envvar-reveal',
        'envvar-export',
        'envvar-import',
      ]),
    );
    // Sensitive values never come back, even in an export.
    expect(revealed.join('\n')).not.toContain(secret(4));

    const tables = await dumpTables(knex);
    expect([...tables.keys()]).toEqual(
      expect.arrayContaining([
        'env_vars',
        'env_var_versions',
        'activity',
        'jobs',
      ]),
    );
    const haystacks = {
      logs: logs.join('\n'),
      audits: audits.join('\n'),
      tables: [...tables.values()].join('\n'),
      responses: bodies.join('\n'),
    };
    expect(haystacks.tables).toContain('env_var_versions');
    for (const [where, text] of Object.entries(haystacks)) {
      // The random tag alone: no part of any value shows.
      const at = text.indexOf(tag);
      expect({
        where,
        leak: at < 0 ? '' : text.slice(at - 300, at + 40),
      }).toEqual({
        where,
        leak: '',
      });
    }
  });

  it('counts exports against the mutation rate limit', async () => {
    const { server } = await setup({ rbac: { mutationsPerMinute: 2 } });
    const exportOnce = () =>
      request(server).get(`${BASE}/development/export`).set(ROOT);
    expect((await exportOnce()).status).toBe(200);
    expect((await exportOnce()).status).toBe(200);
    expect((await exportOnce()).status).toBe(429);
    // Other reads are not limited.
    expect((await request(server).get(BASE).set(ROOT)).status).toBe(200);
  });

  it('answers 503 without a key, and the rest of OpsHub works', async () => {
    const { server } = await setup({ encryption: { keys: [] } });
    const res = await request(server).get(BASE).set(ROOT);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/opshub\.encryption\.keys/);
    const role = await request(server)
      .get('/api/opshub/entities/component/default/storefront/role')
      .set(ROOT);
    expect(role.status).toBe(200);
  });
});
