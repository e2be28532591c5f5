import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  type SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  as,
  BILLING,
  startRbacBackend,
  STOREFRONT,
} from '../__testUtils__/rbacBackend';
import { waitFor } from '../__testUtils__/waitFor';
import { seedPreview } from '../__testUtils__/previews';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import type { PreviewState } from './PreviewStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ROOT = as('user:default/root');
/** Reads the storefront's previews, changes none. */
const STOREFRONT_VIEWER = 'user:default/storefront-viewer';
/** Owns billing, holds nothing on the storefront. */
const BILLING_OWNER = 'user:default/billing-owner';

/** The four routes of one preview, by method and path after its id. */
const PREVIEW_ROUTES = [
  { method: 'get', suffix: '', permission: 'opshub.preview.read' },
  {
    method: 'post',
    suffix: '/redeploy',
    permission: 'opshub.preview.manage',
  },
  {
    method: 'post',
    suffix: '/approve',
    permission: 'opshub.preview.approve',
  },
  { method: 'delete', suffix: '', permission: 'opshub.preview.manage' },
] as const;

describe.each(databases.eachSupportedId())('preview routes on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startRbacBackend>>;
  let prNumber = 0;
  const signals: SignalPayload[] = [];

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    await assignments.add({
      entityRef: STOREFRONT,
      subjectRef: STOREFRONT_VIEWER,
      role: 'viewer',
      createdBy: 'test',
    });
    await assignments.add({
      entityRef: BILLING,
      subjectRef: BILLING_OWNER,
      role: 'owner',
      createdBy: 'test',
    });
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
        // The mock's preview URLs lead nowhere: no check probes them.
        health: { previews: { enabled: false } },
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
    // In the preview's exclusion group, with its other provider calls.
    expect(
      await knex('jobs')
        .where({ type: 'build-preview', key: `build-preview:${failed}` })
        .first('exclusion_group'),
    ).toEqual({ exclusion_group: `preview:${STOREFRONT}#${prNumber}` });
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

  const send = (
    route: (typeof PREVIEW_ROUTES)[number],
    previewId: string,
    user: string,
  ) =>
    request(server)
      [route.method](`/api/opshub/previews/${previewId}${route.suffix}`)
      .set(as(user));

  it('answers 404 alike for an unknown preview and one the caller may not read', async () => {
    const previewId = await seed('awaiting-approval');
    const unknownId = '123456789';
    /** The answer, with the id in the message made generic. */
    const answer = async (
      route: (typeof PREVIEW_ROUTES)[number],
      asked: string,
      user: string,
    ) => {
      const res = await send(route, asked, user);
      return {
        status: res.status,
        error: res.body.error?.name,
        message: String(res.body.error?.message).replace(asked, '<id>'),
      };
    };
    const notFound = {
      status: 404,
      error: 'NotFoundError',
      message: 'No preview <id>',
    };
    for (const route of PREVIEW_ROUTES) {
      const name = `${route.method} ${route.suffix}`;
      for (const user of [
        'user:default/nobody',
        BILLING_OWNER,
        STOREFRONT_VIEWER,
        'user:default/root',
      ]) {
        expect({
          name,
          user,
          ...(await answer(route, unknownId, user)),
        }).toEqual({ name, user, ...notFound });
      }
      for (const user of ['user:default/nobody', BILLING_OWNER]) {
        expect({
          name,
          user,
          ...(await answer(route, previewId, user)),
        }).toEqual({ name, user, ...notFound });
      }
    }
    expect(await stateOf(previewId)).toBe('awaiting-approval');
  });

  it('lets a caller who may read a preview but not change it read it, and refuses the changes with 403', async () => {
    const previewId = await seed('awaiting-approval');
    for (const route of PREVIEW_ROUTES) {
      const res = await send(route, previewId, STOREFRONT_VIEWER);
      const name = `${route.method} ${route.suffix}`;
      expect({
        name,
        status: res.status,
        error: res.body.error?.name,
        message: res.body.error?.message,
      }).toEqual(
        route.method === 'get'
          ? { name, status: 200, error: undefined, message: undefined }
          : {
              name,
              status: 403,
              error: 'NotAllowedError',
              message: `Requires ${route.permission}`,
            },
      );
    }
    expect(await stateOf(previewId)).toBe('awaiting-approval');
  });

  it('builds with the mock provider when opshub.providers.mock is configured', async () => {
    const previewId = await seed('failed');
    expect((await post(`/previews/${previewId}/redeploy`)).status).toBe(202);
    await waitFor(async () => (await stateOf(previewId)) === 'ready', {
      what: 'the mock build',
    });
  });
});

describe.each(databases.eachSupportedId())(
  'preview routes without opshub.providers.mock on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startRbacBackend>>;

    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      server = await startRbacBackend({
        knex,
        opshub: {
          rbac: { orgOwners: ['user:default/root'] },
          previews: { checkInterval: { milliseconds: 20 } },
          queue: { pollInterval: { milliseconds: 50 } },
        },
      });
    });

    it('does not build a preview naming mock: no such provider is installed', async () => {
      const previewId = await seedPreview(knex, {
        entityRef: STOREFRONT,
        prNumber: 1,
        state: 'failed',
      });
      const redeploy = await request(server)
        .post(`/api/opshub/previews/${previewId}/redeploy`)
        .set(ROOT);
      expect(redeploy.status).toBe(202);

      const dead = await waitFor(
        async () => {
          const res = await request(server)
            .get('/api/opshub/queue/jobs?type=build-preview&state=dead')
            .set(ROOT);
          return res.body.items?.find(
            (job: { payload: { previewId: string } }) =>
              job.payload.previewId === previewId,
          );
        },
        { what: 'the build job to die' },
      );
      expect(dead).toMatchObject({
        errorClass: 'permanent',
        lastError: expect.stringContaining(
          "No preview provider 'mock' is installed",
        ),
      });
      const preview = await request(server)
        .get(`/api/opshub/previews/${previewId}`)
        .set(ROOT);
      expect(preview.body).toMatchObject({ state: 'queued', url: null });
    });
  },
);
