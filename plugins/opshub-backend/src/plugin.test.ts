import {
  createBackendModule,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  opshubSummaryExtensionPoint,
  type OpsHubSummaryCounter,
} from '@opshub/plugin-opshub-node';
import request from 'supertest';
import { opshubPlugin } from './plugin';

const storefront: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'storefront',
    namespace: 'default',
    annotations: {
      'github.com/project-slug': 'acme/storefront',
      'opshub.dev/preview-provider': 'mock',
      'slack.com/bot-notify': '#storefront',
    },
  },
  spec: { type: 'website', owner: 'group:default/web' },
};
const plain: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'plain',
    namespace: 'default',
    annotations: { 'opshub.dev/preview-provider': 'heroku' },
  },
  spec: { type: 'service', owner: 'group:default/web' },
};

function counterModule(moduleId: string, ...counters: OpsHubSummaryCounter[]) {
  return createBackendModule({
    pluginId: 'opshub',
    moduleId,
    register(env) {
      env.registerInit({
        deps: { summary: opshubSummaryExtensionPoint },
        async init({ summary }) {
          summary.addCounter(...counters);
        },
      });
    },
  });
}

async function start(...extra: BackendFeature[]) {
  const { server } = await startTestBackend({
    features: [
      opshubPlugin,
      catalogServiceMock.factory({ entities: [storefront, plain] }),
      mockServices.scheduler.factory({
        includeInitialDelayedTasksOnStartup: true,
      }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ...extra,
    ],
  });
  return server;
}

const asUser = {
  Authorization: mockCredentials.user.header('user:default/alice'),
};
const summaryPath = '/api/opshub/entities/component/default/storefront/summary';
/** The preview counts the backend contributes itself, for an entity with none. */
const noPreviews = [
  { id: 'previews.live', title: 'Live previews', value: 0 },
  { id: 'previews.building', title: 'Previews building', value: 0 },
  { id: 'previews.failed', title: 'Failed previews', value: 0 },
];

describe('opshub backend plugin', () => {
  it('answers GET /health without a token', async () => {
    const server = await start();
    const res = await request(server).get('/api/opshub/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses the summary without a token', async () => {
    const server = await start();
    const res = await request(server).get(summaryPath);
    expect(res.status).toBe(401);
  });

  it('returns what OpsHub knows of an entity', async () => {
    const server = await start();

    // The project sync runs at startup in the background; wait for it.
    let res = await request(server).get(summaryPath).set(asUser);
    for (let i = 0; i < 50 && res.body.trackedSince === null; i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
      res = await request(server).get(summaryPath).set(asUser);
    }

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entityRef: 'component:default/storefront',
      configured: true,
      annotations: {
        projectSlug: 'acme/storefront',
        previewProvider: 'mock',
        slackChannel: '#storefront',
      },
      problems: [],
      trackedSince: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      counts: noPreviews,
      // No catalog location proves its claim on acme/storefront.
      binding: {
        entityRef: 'component:default/storefront',
        repository: 'acme/storefront',
        verified: false,
        verifiedBy: null,
        approvedBy: null,
        approvedAt: null,
        problem: expect.stringContaining(
          'component:default/storefront claims acme/storefront, but it has no catalog location',
        ),
      },
    });
  });

  it('explains what an entity without OpsHub annotations lacks', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/opshub/entities/component/default/plain/summary')
      .set(asUser);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/plain',
      configured: false,
      annotations: {},
      problems: [
        {
          annotation: 'opshub.dev/preview-provider',
          message: 'must be one of vercel, netlify, mock',
        },
      ],
      trackedSince: null,
      // It names no repository.
      binding: null,
    });
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/opshub/entities/component/default/missing/summary')
      .set(asUser);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/missing',
    });
  });

  it('answers 400 for an entity ref that is too long', async () => {
    const server = await start();
    const res = await request(server)
      .get(`/api/opshub/entities/component/default/${'x'.repeat(300)}/summary`)
      .set(asUser);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
  });

  it('adds the counts that modules contribute and skips a failing one', async () => {
    const server = await start(
      counterModule(
        'counters',
        {
          id: 'deploys.week',
          title: 'Deploys this week',
          count: async ref => (ref === 'component:default/storefront' ? 3 : 0),
        },
        {
          id: 'broken',
          title: 'Broken',
          count: async () => {
            throw new Error('database on fire');
          },
        },
      ),
    );
    const res = await request(server).get(summaryPath).set(asUser);
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual([
      ...noPreviews,
      { id: 'deploys.week', title: 'Deploys this week', value: 3 },
    ]);
  });

  it("refuses to start with a module counter of a built-in counter's id", async () => {
    await expect(
      start(
        counterModule('counters', {
          id: 'previews.live',
          title: 'Live',
          count: async () => 1,
        }),
      ),
    ).rejects.toThrow(
      "OpsHub summary counter 'previews.live' is already registered",
    );
  });

  it('refuses to start with two counters of the same id', async () => {
    const counter = { id: 'dup', title: 'Dup', count: async () => 1 };
    await expect(
      start(
        counterModule('first', counter),
        counterModule('second', { ...counter, title: 'B' }),
      ),
    ).rejects.toThrow("OpsHub summary counter 'dup' is already registered");
  });
});
