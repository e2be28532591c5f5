import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { createMutationLimiter } from './mutationLimiter';
import { mutationRateLimit } from './mutationRateLimit';

function app(now: () => number) {
  const server = express();
  server.use(
    mutationRateLimit({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      limiter: createMutationLimiter({ perMinute: 2, now }),
    }),
  );
  server.all('/thing', (_req, res) => {
    res.status(204).end();
  });
  return server;
}

const alice = { Authorization: mockCredentials.user.header('user:default/a') };
/** A service principal's token, as Backstage reports it: `subject`. */
const service = (subject: string) => ({
  Authorization: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'test',
  }),
});

describe('mutationRateLimit', () => {
  it('refills evenly: one request per minute/perMinute after the burst', async () => {
    let clock = 0;
    const server = app(() => clock);
    expect((await request(server).post('/thing').set(alice)).status).toBe(204);
    expect((await request(server).delete('/thing').set(alice)).status).toBe(
      204,
    );
    const limited = await request(server).put('/thing').set(alice);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');

    clock = 29_000;
    expect((await request(server).patch('/thing').set(alice)).status).toBe(429);
    clock = 30_000;
    expect((await request(server).patch('/thing').set(alice)).status).toBe(204);
  });

  it("limits a service principal like a user, by its subject: its own bucket, apart from users' and other services'", async () => {
    const server = app(() => 0);
    const ci = service('external:ci');
    expect((await request(server).post('/thing').set(ci)).status).toBe(204);
    expect((await request(server).post('/thing').set(ci)).status).toBe(204);
    const limited = await request(server).post('/thing').set(ci);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    // The same subject on another request is the same caller.
    expect(
      (await request(server).post('/thing').set(service('external:ci'))).status,
    ).toBe(429);
    // Another service and a user each have their own.
    expect(
      (await request(server).post('/thing').set(service('plugin:mcp-actions')))
        .status,
    ).toBe(204);
    expect((await request(server).post('/thing').set(alice)).status).toBe(204);
  });

  it('lets reads and requests without a user or service token through', async () => {
    const server = app(() => 0);
    for (let i = 0; i < 5; i++) {
      expect((await request(server).get('/thing').set(alice)).status).toBe(204);
      expect((await request(server).post('/thing')).status).toBe(204);
    }
  });
});
