import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { NotAllowedError } from '@backstage/errors';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createAudited } from '../activity/audited';
import { DatabaseActivityLog } from '../activity/DatabaseActivityLog';
import { migrateUp } from '../database/migrations';
import type { ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseEnvVarStore } from './DatabaseEnvVarStore';
import { parseDotenv } from './dotenv';
import { envVarRoutes } from './routes';
import { testCipher } from './testCipher';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/storefront';
const BASE = '/entities/component/default/storefront/envvars';

/** Users and what they hold on the storefront. */
const USERS: Record<string, string[]> = {
  'user:default/owner': [
    'opshub.envvar.read',
    'opshub.envvar.write',
    'opshub.envvar.write.production',
    'opshub.envvar.reveal',
  ],
  'user:default/dev': ['opshub.envvar.read', 'opshub.envvar.write'],
  'user:default/viewer': ['opshub.envvar.read'],
};
const as = (user: string) => ({
  Authorization: mockCredentials.user.header(user),
});
const owner = as('user:default/owner');

describe.each(databases.eachSupportedId())('the env-var routes on %s', id => {
  let knex: Knex;

  async function app(
    options: { configured?: boolean; protectedEnvironments?: string[] } = {},
  ) {
    knex = await databases.init(id);
    await migrateUp(knex);
    const httpAuth = mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    });
    const authorizer = {
      async authorize(
        req: express.Request,
        permission: { name: string },
        ref: string,
      ) {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        const user = credentials.principal.userEntityRef;
        if (ref !== ENTITY || !USERS[user]?.includes(permission.name)) {
          throw new NotAllowedError(`Requires ${permission.name}`);
        }
        return credentials;
      },
    } as unknown as ProjectAuthorizer;
    const events: unknown[] = [];
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async o => {
        events.push(o.meta);
        return {
          success: async (s?: { meta?: unknown }) => {
            events.push(s?.meta);
          },
          fail: async () => {},
        };
      }),
    });
    const activity = new DatabaseActivityLog(knex);
    const server = express();
    server.use(
      envVarRoutes({
        authorizer,
        audited: createAudited({ auditor, activity }),
        store: new DatabaseEnvVarStore(knex),
        cipher: testCipher({ configured: options.configured }),
        protectedEnvironments: options.protectedEnvironments ?? ['production'],
      }),
    );
    server.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    return { server, events };
  }

  it('writes, lists masked, tells 201 from 200, and skips an unchanged value', async () => {
    const { server } = await app();
    const put = (name: string, body: object, env = 'development') =>
      request(server).put(`${BASE}/${env}/${name}`).set(owner).send(body);

    const created = await put('DATABASE_URL', {
      value: 'postgres://db.example/app',
      comment: 'first',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      environment: 'development',
      name: 'DATABASE_URL',
      branch: null,
      sensitive: false,
      value: '••••/app',
      version: 1,
      updatedBy: 'user:default/owner',
      updatedAt: expect.stringMatching(/^\d{4}-/),
    });
    const changed = await put('DATABASE_URL', {
      value: 'postgres://db.example/other',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ value: '••••ther', version: 2 });
    const same = await put('DATABASE_URL', {
      value: 'postgres://db.example/other',
    });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(2);

    // Short values show nothing; sensitive ones neither.
    expect((await put('SHORT', { value: '12345678901' })).body.value).toBe(
      '••••',
    );
    expect(
      (
        await put('TOKEN', {
          value: 'a-very-long-secret-token',
          sensitive: true,
        })
      ).body.value,
    ).toBe('••••');
    expect((await put('TWELVE', { value: '123456789012' })).body.value).toBe(
      '••••9012',
    );

    const list = await request(server).get(BASE).set(as('user:default/viewer'));
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((i: any) => [i.name, i.value, i.version]),
    ).toEqual([
      ['DATABASE_URL', '••••ther', 2],
      ['SHORT', '••••', 1],
      ['TOKEN', '••••', 1],
      ['TWELVE', '••••9012', 1],
    ]);
    const none = await request(server)
      .get(`${BASE}?environment=production`)
      .set(owner);
    expect(none.body).toEqual({ items: [] });

    const versions = await request(server)
      .get(`${BASE}/development/DATABASE_URL/versions`)
      .set(as('user:default/viewer'));
    expect(versions.body.items).toEqual([
      {
        version: 2,
        actor: 'user:default/owner',
        createdAt: expect.any(String),
        comment: null,
        deleted: false,
      },
      expect.objectContaining({ version: 1, comment: 'first' }),
    ]);
  });

  it('validates names, environments, values and bodies', async () => {
    const { server } = await app();
    const put = (path: string, body: unknown) =>
      request(server)
        .put(`${BASE}/${path}`)
        .set(owner)
        .send(body as object);
    expect((await put('development/lower', { value: 'x' })).status).toBe(400);
    expect((await put('Dev/NAME', { value: 'x' })).status).toBe(400);
    expect((await put(`${'a'.repeat(33)}/NAME`, { value: 'x' })).status).toBe(
      400,
    );
    expect((await put('development/NAME', { value: 1 })).status).toBe(400);
    expect((await put('development/NAME', {})).status).toBe(400);
    const big = await put('development/NAME', {
      value: 'x'.repeat(64 * 1024 + 1),
    });
    expect(big.status).toBe(400);
    expect(big.body.error.message).not.toContain('xxxx');
    expect(
      (await put('development/NAME', { value: 'x'.repeat(64 * 1024) })).status,
    ).toBe(201);
    expect(
      (await put('development/HUGE', { value: 'x'.repeat(130 * 1024) })).status,
    ).toBe(413);
    expect((await put('staging-2/A_B_9', { value: 'custom env' })).status).toBe(
      201,
    );
  });

  it('never clears, reveals or exports a sensitive value', async () => {
    const { server } = await app();
    const path = `${BASE}/development/API_TOKEN`;
    await request(server)
      .put(path)
      .set(owner)
      .send({ value: 'tok-123456789', sensitive: true });
    const clear = await request(server)
      .put(path)
      .set(owner)
      .send({ value: 'tok-123456789', sensitive: false });
    expect(clear.status).toBe(409);
    // Omitting it keeps it.
    const keep = await request(server)
      .put(path)
      .set(owner)
      .send({ value: 'tok-987654321' });
    expect(keep.body).toMatchObject({ sensitive: true, value: '••••' });
    const reveal = await request(server).post(`${path}/reveal`).set(owner);
    expect(reveal.status).toBe(403);
    expect(reveal.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(reveal.body)).not.toContain('tok-');
    const exported = await request(server)
      .get(`${BASE}/development/export`)
      .set(owner);
    expect(exported.text).toContain('# API_TOKEN (sensitive, not exported)');
    expect(exported.text).not.toContain('tok-');
  });

  it('reveals with the permission, without caching, and audits who saw what', async () => {
    const { server, events } = await app();
    const path = `${BASE}/development/SECRET_KEY`;
    await request(server).put(path).set(owner).send({ value: 'abc' });
    const denied = await request(server)
      .post(`${path}/reveal`)
      .set(as('user:default/dev'));
    expect(denied.status).toBe(403);
    events.length = 0;
    const revealed = await request(server).post(`${path}/reveal`).set(owner);
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ value: 'abc' });
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(events).toEqual([
      { entityRef: ENTITY, environment: 'development', name: 'SECRET_KEY' },
      { environment: 'development', name: 'SECRET_KEY', version: 1 },
    ]);
    const activity = await knex('activity').where({ action: 'envvar-reveal' });
    expect(activity).toHaveLength(1);
    expect(activity[0].actor_ref).toBe('user:default/owner');
    expect(
      (await request(server).post(`${BASE}/development/NOPE/reveal`).set(owner))
        .status,
    ).toBe(404);
  });

  it('needs the production permission for protected environments', async () => {
    const { server } = await app({
      protectedEnvironments: ['production', 'staging'],
    });
    const dev = as('user:default/dev');
    for (const env of ['production', 'staging']) {
      const res = await request(server)
        .put(`${BASE}/${env}/NAME`)
        .set(dev)
        .send({ value: 'v' });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'Requires opshub.envvar.write.production',
      );
      expect(
        (
          await request(server)
            .put(`${BASE}/${env}/NAME`)
            .set(owner)
            .send({ value: 'v' })
        ).status,
      ).toBe(201);
      expect(
        (await request(server).delete(`${BASE}/${env}/NAME`).set(dev)).status,
      ).toBe(403);
      expect(
        (
          await request(server)
            .post(`${BASE}/${env}/import`)
            .set(dev)
            .type('text/plain')
            .send('A=1')
        ).status,
      ).toBe(403);
      expect(
        (
          await request(server)
            .post(`${BASE}/${env}/NAME/versions/1/restore`)
            .set(dev)
        ).status,
      ).toBe(403);
    }
    expect(
      (
        await request(server)
          .put(`${BASE}/preview/NAME`)
          .set(dev)
          .send({ value: 'v' })
      ).status,
    ).toBe(201);
    expect(
      (
        await request(server)
          .put(`${BASE}/preview/NAME`)
          .set(as('user:default/viewer'))
          .send({ value: 'v' })
      ).status,
    ).toBe(403);
  });

  it('keeps branch overrides of preview apart, and refuses branches elsewhere', async () => {
    const { server } = await app();
    const put = (query: string, value: string, env = 'preview') =>
      request(server)
        .put(`${BASE}/${env}/API_URL${query}`)
        .set(owner)
        .send({ value });
    expect((await put('', 'https://api.example/base')).status).toBe(201);
    const override = await put(
      '?branch=feature/x',
      'https://api.example/featx',
    );
    expect(override.status).toBe(201);
    expect(override.body).toMatchObject({ branch: 'feature/x', version: 1 });
    expect((await put('?branch=x', 'v', 'production')).status).toBe(400);
    expect((await put('?branch=-bad', 'v')).status).toBe(400);
    const reveal = await request(server)
      .post(`${BASE}/preview/API_URL/reveal?branch=feature/x`)
      .set(owner);
    expect(reveal.body.value).toBe('https://api.example/featx');
    const list = await request(server)
      .get(`${BASE}?environment=preview`)
      .set(owner);
    expect(list.body.items.map((i: any) => [i.branch, i.value])).toEqual([
      [null, '••••base'],
      ['feature/x', '••••eatx'],
    ]);
    const exported = await request(server)
      .get(`${BASE}/preview/export?branch=feature/x`)
      .set(owner);
    expect(parseDotenv(exported.text).entries.map(e => e.value)).toEqual([
      'https://api.example/featx',
    ]);
    const removed = await request(server)
      .delete(`${BASE}/preview/API_URL?branch=feature/x`)
      .set(owner);
    expect(removed.body).toMatchObject({
      branch: 'feature/x',
      value: '••••eatx',
    });
    expect(
      (await request(server).get(`${BASE}?environment=preview`).set(owner)).body
        .items,
    ).toHaveLength(1);
  });

  it('deletes as a version, and restores an old value as a new version', async () => {
    const { server } = await app();
    const path = `${BASE}/production/DB_PASSWORD`;
    await request(server)
      .put(path)
      .set(owner)
      .send({ value: 'first-value-123' });
    await request(server)
      .put(path)
      .set(owner)
      .send({ value: 'second-value-456' });
    const removed = await request(server).delete(path).set(owner);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      name: 'DB_PASSWORD',
      value: '••••-456',
      version: 2,
    });
    expect((await request(server).delete(path).set(owner)).status).toBe(404);
    const versions = await request(server).get(`${path}/versions`).set(owner);
    expect(versions.body.items.map((v: any) => [v.version, v.deleted])).toEqual(
      [
        [3, true],
        [2, false],
        [1, false],
      ],
    );
    expect(
      (await request(server).post(`${path}/versions/3/restore`).set(owner))
        .status,
    ).toBe(409);
    expect(
      (await request(server).post(`${path}/versions/9/restore`).set(owner))
        .status,
    ).toBe(404);
    const restored = await request(server)
      .post(`${path}/versions/1/restore`)
      .set(owner);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 4, value: '••••-123' });
    const reveal = await request(server).post(`${path}/reveal`).set(owner);
    expect(reveal.body.value).toBe('first-value-123');
    const latest = await request(server).get(`${path}/versions`).set(owner);
    expect(latest.body.items[0]).toMatchObject({
      version: 4,
      comment: 'Restored version 1',
    });
    // Sealed for its own version: the old row copied over fails to open.
    const [v1] = await knex('env_var_versions').where({
      name: 'DB_PASSWORD',
      version: 1,
    });
    await knex('env_vars')
      .where({ name: 'DB_PASSWORD' })
      .update({ ciphertext: v1.ciphertext, iv: v1.iv, tag: v1.tag });
    expect(
      (await request(server).post(`${path}/reveal`).set(owner)).status,
    ).toBe(500);
  });

  it('imports a .env: dry run with line errors, all or nothing, 1 MiB at most', async () => {
    const { server } = await app();
    const importEnv = (text: string, query = '') =>
      request(server)
        .post(`${BASE}/development/import${query}`)
        .set(owner)
        .type('text/plain')
        .send(text);
    await request(server)
      .put(`${BASE}/development/KEEP`)
      .set(owner)
      .send({ value: 'same' });
    await request(server)
      .put(`${BASE}/development/CHANGE`)
      .set(owner)
      .send({ value: 'before' });
    const bad = [
      '# comment',
      'KEEP=same',
      'CHANGE="after value"',
      'lower=oops-secret-value',
      'NEW=1',
      'NO_EQUALS',
      'NEW=2',
    ].join('\n');
    const dry = await importEnv(bad, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      created: 1,
      updated: 1,
      unchanged: 1,
      errors: [
        { line: 4, name: 'lower', reason: expect.stringMatching(/name must/) },
        { line: 6, name: 'NO_EQUALS', reason: 'expected NAME=value' },
        { line: 7, name: 'NEW', reason: 'already set on line 5' },
      ],
    });
    const real = await importEnv(bad);
    expect(real.status).toBe(400);
    expect(real.body.error.name).toBe('InputError');
    expect(real.body.error.message).toMatch(/line 4: .*line 6: .*line 7: /);
    expect(real.body.error.message).not.toContain('oops-secret-value');
    expect((await knex('env_vars')).map(r => r.name).sort()).toEqual([
      'CHANGE',
      'KEEP',
    ]);

    const good = await importEnv(
      'KEEP=same\nCHANGE="after value"\nexport NEW=1\n',
    );
    expect(good.status).toBe(200);
    expect(good.body).toEqual({
      created: 1,
      updated: 1,
      unchanged: 1,
      errors: [],
    });
    const reveal = await request(server)
      .post(`${BASE}/development/CHANGE/reveal`)
      .set(owner);
    expect(reveal.body.value).toBe('after value');

    const tooBig = await importEnv(`BIG=${'x'.repeat(1024 * 1024)}`);
    expect(tooBig.status).toBe(413);
    const notText = await request(server)
      .post(`${BASE}/development/import`)
      .set(owner)
      .send({ A: '1' });
    expect(notText.status).toBe(400);
  });

  it('exports a .env without caching, sensitive ones as comments', async () => {
    const { server } = await app();
    const values: Record<string, string> = {
      PLAIN: 'simple',
      SPACED: 'has spaces # and "quotes" \\ $HOME\nnewline',
      EMPTY: '',
    };
    for (const [name, value] of Object.entries(values)) {
      await request(server)
        .put(`${BASE}/production/${name}`)
        .set(owner)
        .send({ value });
    }
    await request(server)
      .put(`${BASE}/production/HIDDEN`)
      .set(owner)
      .send({ value: 'hidden-value', sensitive: true });
    const dev = await request(server)
      .get(`${BASE}/production/export`)
      .set(as('user:default/dev'));
    expect(dev.status).toBe(403);
    const res = await request(server)
      .get(`${BASE}/production/export`)
      .set(owner);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('# HIDDEN (sensitive, not exported)\n');
    expect(res.text).not.toContain('hidden-value');
    const parsed = parseDotenv(res.text);
    expect(parsed.errors).toEqual([]);
    expect(
      Object.fromEntries(parsed.entries.map(e => [e.name, e.value])),
    ).toEqual(values);
  });

  it('answers 503 on every route without a key, saying how to configure one', async () => {
    const { server } = await app({ configured: false });
    const responses = await Promise.all([
      request(server).get(BASE).set(owner),
      request(server)
        .put(`${BASE}/development/A`)
        .set(owner)
        .send({ value: 'v' }),
      request(server).delete(`${BASE}/development/A`).set(owner),
      request(server).post(`${BASE}/development/A/reveal`).set(owner),
      request(server).get(`${BASE}/development/A/versions`).set(owner),
      request(server)
        .post(`${BASE}/development/A/versions/1/restore`)
        .set(owner),
      request(server)
        .post(`${BASE}/development/import`)
        .set(owner)
        .type('text/plain')
        .send('A=1'),
      request(server).get(`${BASE}/development/export`).set(owner),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/opshub\.encryption\.keys/);
    }
    // Authorization still comes first.
    expect((await request(server).get(BASE)).status).toBe(401);
  });
});
