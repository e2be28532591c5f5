import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { asUser, startOpsHubBackend } from '../__testUtils__/testBackend';
import { DatabaseJobStore } from './DatabaseJobStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('queue admin routes on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startOpsHubBackend>>;
  let store: DatabaseJobStore;

  beforeAll(async () => {
    knex = await databases.init(id);
    server = await startOpsHubBackend({ knex });
    store = new DatabaseJobStore(knex);
  });
  afterAll(() => store.close());
  beforeEach(() => knex('jobs').delete());

  async function deadJob() {
    const jobId = await store.enqueue(knex, {
      type: 'nobody-handles',
      payload: {},
    });
    await store.settleAndClaim('w', [], {
      leaseMs: 1000,
      slots: [{ type: 'nobody-handles', limit: 1 }],
      total: 1,
    });
    await store.settleAndClaim('w', [
      {
        id: jobId,
        attempts: 1,
        outcome: 'dead',
        error: 'Error: boom',
        errorClass: 'transient',
      },
    ]);
    return jobId;
  }

  it('counts jobs by type and state', async () => {
    await store.enqueue(knex, { type: 'a', payload: {} });
    await store.enqueue(knex, { type: 'a', payload: {} });
    await deadJob();
    const res = await request(server)
      .get('/api/opshub/queue/stats')
      .set(asUser);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      counts: [
        { type: 'a', state: 'queued', count: 2 },
        { type: 'nobody-handles', state: 'dead', count: 1 },
      ],
    });
  });

  it('lists with filters and shows one job', async () => {
    const dead = await deadJob();
    await store.enqueue(knex, { type: 'a', payload: { x: 1 } });
    const res = await request(server)
      .get('/api/opshub/queue/jobs?state=dead')
      .set(asUser);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: dead,
        state: 'dead',
        lastError: 'Error: boom',
        errorClass: 'transient',
      }),
    ]);
    const one = await request(server)
      .get(`/api/opshub/queue/jobs/${dead}`)
      .set(asUser);
    expect(one.body).toMatchObject({ id: dead, type: 'nobody-handles' });
    expect(
      (await request(server).get('/api/opshub/queue/jobs/123456').set(asUser))
        .status,
    ).toBe(404);
    expect(
      (
        await request(server)
          .get('/api/opshub/queue/jobs?state=sleeping')
          .set(asUser)
      ).status,
    ).toBe(400);
  });

  it('retries a dead job and cancels a queued one, and refuses otherwise', async () => {
    const dead = await deadJob();
    const retried = await request(server)
      .post(`/api/opshub/queue/jobs/${dead}/retry`)
      .set(asUser);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({
      id: dead,
      state: 'queued',
      attempts: 0,
    });

    const again = await request(server)
      .post(`/api/opshub/queue/jobs/${dead}/retry`)
      .set(asUser);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ name: 'ConflictError' });

    const cancelled = await request(server)
      .post(`/api/opshub/queue/jobs/${dead}/cancel`)
      .set(asUser);
    expect(cancelled.body).toMatchObject({ state: 'cancelled' });
    expect(
      (
        await request(server)
          .post('/api/opshub/queue/jobs/abc/cancel')
          .set(asUser)
      ).status,
    ).toBe(400);
  });

  it('needs a user token', async () => {
    for (const [method, path] of [
      ['get', '/api/opshub/queue/stats'],
      ['get', '/api/opshub/queue/jobs'],
      ['post', '/api/opshub/queue/jobs/1/retry'],
      ['post', '/api/opshub/queue/jobs/1/cancel'],
    ] as const) {
      expect((await request(server)[method](path)).status).toBe(401);
    }
  });
});
