import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { mutationRateLimit } from './mutationRateLimit';

function app(now: () => number) {
  const server = express();
  server.use(
    mutationRateLimit({
      httpAuth: mockServices.httpAuth({
        defaultCredentials: mockCredentials.none(),
      }),
      perMinute: 2,
      now,
    }),
  );
  server.all('/thing', (_req, res) => {
    res.status(204).end();
  });
  return server;
}

const alice = { Authorization: mockCredentials.user.header('user:default/a') };

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

  it('lets reads and requests without a user token through', async () => {
    const server = app(() => 0);
    for (let i = 0; i < 5; i++) {
      expect((await request(server).get('/thing').set(alice)).status).toBe(204);
      expect((await request(server).post('/thing')).status).toBe(204);
    }
  });
});
