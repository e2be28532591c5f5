import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import type { PreviewState } from '../previews/PreviewStore';
import { asUser, startOpsHubBackend } from '../__testUtils__/testBackend';
import { waitFor } from '../__testUtils__/waitFor';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'github.com/project-slug': `acme/${name}`,
      'opshub.dev/preview-provider': 'mock',
    },
  },
  spec: { type: 'website', owner: 'group:default/web' },
});

describe.each(databases.eachSupportedId())('entity summary on %s', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startOpsHubBackend>>;

  beforeAll(async () => {
    knex = await databases.init(id);
    server = await startOpsHubBackend({
      knex,
      entities: [component('storefront'), component('billing')],
    });
    const seed = (entityRef: string, prNumber: number, state: PreviewState) =>
      seedPreview(knex, { entityRef, prNumber, state });
    const storefront = 'component:default/storefront';
    await seed(storefront, 1, 'ready');
    await seed(storefront, 2, 'ready');
    await seed(storefront, 3, 'queued');
    await seed(storefront, 4, 'building');
    await seed(storefront, 5, 'failed');
    await seed(storefront, 6, 'destroyed');
    await seed(storefront, 7, 'awaiting-approval');
    await seed('component:default/billing', 1, 'failed');
  });

  const summaryOf = (name: string) =>
    request(server)
      .get(`/api/opshub/entities/component/default/${name}/summary`)
      .set(asUser);

  it("counts the entity's live, building and failed previews", async () => {
    const res = await summaryOf('storefront');
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual([
      { id: 'previews.live', title: 'Live previews', value: 2 },
      { id: 'previews.building', title: 'Previews building', value: 2 },
      { id: 'previews.failed', title: 'Failed previews', value: 1 },
    ]);
  });

  it("counts only the entity's own previews, zeros included", async () => {
    const res = await summaryOf('billing');
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual([
      { id: 'previews.live', title: 'Live previews', value: 0 },
      { id: 'previews.building', title: 'Previews building', value: 0 },
      { id: 'previews.failed', title: 'Failed previews', value: 1 },
    ]);
  });
});

describe.each(databases.eachSupportedId())(
  "the entity summary's binding on %s",
  id => {
    const withLocation = (name: string, location: string): Entity => {
      const entity = component(name);
      entity.metadata.annotations!['backstage.io/managed-by-location'] =
        location;
      return entity;
    };

    it('tells whether OpsHub trusts the claim on the repository, and why not', async () => {
      const knex = await databases.init(id);
      const untracked: Entity = {
        ...component('untracked'),
        kind: 'Resource',
      };
      const server = await startOpsHubBackend({
        knex,
        entities: [
          withLocation(
            'storefront',
            'url:https://github.com/acme/storefront/blob/main/catalog-info.yaml',
          ),
          withLocation('billing', 'file:/srv/catalog/billing.yaml'),
          untracked,
        ],
        // Without an initial delay the project sync runs at startup.
        config: {
          projectSync: {
            schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } },
          },
        },
      });
      const summaryOf = async (kind: string, name: string) => {
        const res = await request(server)
          .get(`/api/opshub/entities/${kind}/default/${name}/summary`)
          .set(asUser);
        expect(res.status).toBe(200);
        return res.body;
      };
      await waitFor(
        async () =>
          (await summaryOf('component', 'billing')).trackedSince !== null,
        { what: 'the project sync' },
      );

      expect((await summaryOf('component', 'storefront')).binding).toEqual({
        entityRef: 'component:default/storefront',
        repository: 'acme/storefront',
        verified: true,
        verifiedBy: 'location',
        approvedBy: null,
        approvedAt: null,
        problem: null,
      });
      expect((await summaryOf('component', 'billing')).binding).toEqual({
        entityRef: 'component:default/billing',
        repository: 'acme/billing',
        verified: false,
        verifiedBy: null,
        approvedBy: null,
        approvedAt: null,
        problem:
          'component:default/billing claims acme/billing, but its catalog location is file:/srv/catalog/billing.yaml — register it from a catalog-info.yaml in github.com/acme/billing, or ask an OpsHub org owner to approve the binding on the /opshub page',
      });
      // Not tracked (only Components are): no binding to tell of.
      expect((await summaryOf('resource', 'untracked')).binding).toBeNull();
    });
  },
);
