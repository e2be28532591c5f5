import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend } from '../__testUtils__/rbacBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('request bodies on %s', id => {
  it.each([
    ['POST', '/api/opshub/entities/component/default/storefront/assignments'],
    ['POST', '/api/opshub/org/assignments'],
    ['PUT', '/api/opshub/org/bindings/component/default/storefront'],
    [
      'PUT',
      '/api/opshub/entities/component/default/storefront/envvars/preview/API_TOKEN',
    ],
  ])('%s %s never echoes a body it cannot parse', async (method, path) => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const server = await startRbacBackend({
      knex,
      opshub: {
        encryption: {
          keys: [
            { id: 'test', secret: Buffer.alloc(32, 7).toString('base64') },
          ],
        },
      },
    });
    // Short and unquoted: Node's JSON.parse error quotes such a body whole.
    const secret = `pw${Math.random().toString(36).slice(2, 8)}`;
    const res = await request(server)
      [method === 'PUT' ? 'put' : 'post'](path)
      .set(as('user:default/root'))
      .set('Content-Type', 'application/json')
      .send(`{"v": ${secret}}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      message: 'The request body is not valid JSON',
    });
    expect(res.text).not.toContain(secret);
  });
});
