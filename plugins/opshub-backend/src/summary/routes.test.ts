import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import type { PreviewState } from '../previews/PreviewStore';
import { asUser, startOpsHubBackend } from '../__testUtils__/testBackend';

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
