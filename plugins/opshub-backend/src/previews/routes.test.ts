import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  type SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend, STOREFRONT } from '../__testUtils__/rbacBackend';
import { waitFor } from '../__testUtils__/waitFor';
import { seedPreview } from '../__testUtils__/previews';
import type { PreviewState } from './PreviewStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ROOT = as('user:default/root');

describe.each(databases.eachSupportedId())('preview routes on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startRbacBackend>>;
  let prNumber = 0;
  const signals: SignalPayload[] = [];

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    server = await startRbacBackend({
      knex,
      extra: [
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async signal => {
              signals.push(signal);
            },
          }),
        }),
      ],
      opshub: {
        rbac: { orgOwners: ['user:default/root'] },
        providers: { mock: { delay: { seconds: 0 }, domain: 'preview.test' } },
        previews: { checkInterval: { milliseconds: 20 } },
        queue: { pollInterval: { milliseconds: 50 } },
      },
    });
  });

  const seed = (state: PreviewState) =>
    seedPreview(knex, { entityRef: STOREFRONT, prNumber: ++prNumber, state });

  const get = (path: string) =>
    request(server).get(`/api/opshub${path}`).set(ROOT);
  const post = (path: string) =>
    request(server).post(`/api/opshub${path}`).set(ROOT);
  const stateOf = async (previewId: string) =>
    (await get(`/previews/${previewId}`)).body.state;

  it('lists and reads previews with their documented fields', async () => {
    const previewId = await seed('ready');
    const list = await get(
      `/previews?entityRef=${encodeURIComponent(
        'Component:default/Storefront',
      )}`,
    );
    expect(list.status).toBe(200);
    const item = list.body.items.find(
      (p: { id: string }) => p.id === previewId,
    );
    expect(item).toEqual(
      expect.objectContaining({
        id: previewId,
        prNumber,
        title: `Change ${prNumber}`,
        branch: `change-${prNumber}`,
        headSha: 'f'.repeat(40),
        author: 'octocat',
        state: 'ready',
        url: null,
        updatedAt: expect.stringMatching(/^\d{4}-/),
        expiresAt: expect.stringMatching(/^\d{4}-/),
      }),
    );
    expect((await get(`/previews/${previewId}`)).body).toEqual(item);

    expect((await get('/previews?entityRef=')).status).toBe(400);
    expect((await get('/previews/123456789')).status).toBe(404);
    expect((await get('/previews/abc')).status).toBe(400);
  });

  it('approves a fork PR head, which then builds; once only', async () => {
    const previewId = await seed('awaiting-approval');
    const approved = await post(`/previews/${previewId}/approve`);
    expect(approved.status).toBe(202);
    expect(approved.body).toMatchObject({
      state: 'queued',
      approvedBy: 'user:default/root',
    });
    await waitFor(async () => (await stateOf(previewId)) === 'ready', {
      what: 'the approved preview to be ready',
    });
    expect((await get(`/previews/${previewId}`)).body.url).toBe(
      `https://storefront-pr-${prNumber}.preview.test`,
    );
    expect((await post(`/previews/${previewId}/approve`)).status).toBe(409);
    // Open Previews tabs of the storefront heard of each step.
    expect(signals).toEqual(
      expect.arrayContaining([
        {
          recipients: { type: 'broadcast' },
          channel: 'opshub.previews:component:default/storefront',
          message: { entityRef: STOREFRONT },
        },
      ]),
    );
  });

  it('redeploys a settled preview and refuses one still building', async () => {
    const building = await seed('building');
    expect((await post(`/previews/${building}/redeploy`)).status).toBe(409);

    const failed = await seed('failed');
    const res = await post(`/previews/${failed}/redeploy`);
    expect(res.status).toBe(202);
    await waitFor(async () => (await stateOf(failed)) === 'ready', {
      what: 'the redeployed preview to be ready',
    });
  });

  it('destroys a preview once', async () => {
    const previewId = await seed('ready');
    const res = await request(server)
      .delete(`/api/opshub/previews/${previewId}`)
      .set(ROOT);
    expect(res.status).toBe(202);
    await waitFor(async () => (await stateOf(previewId)) === 'destroyed', {
      what: 'the preview to be destroyed',
    });
    const again = await request(server)
      .delete(`/api/opshub/previews/${previewId}`)
      .set(ROOT);
    expect(again.status).toBe(409);
  });
});
