import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { countPreviews, previewCounters } from './previewCounters';
import type { PreviewState } from './PreviewStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const STOREFRONT = 'component:default/storefront';
const BILLING = 'component:default/billing';

describe.each(databases.eachSupportedId())('preview counters on %s', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    const states: PreviewState[] = [
      'ready',
      'ready',
      'queued',
      'building',
      'building',
      'failed',
      'awaiting-approval',
      'destroying',
      'destroyed',
      'expired',
    ];
    for (const [i, state] of states.entries()) {
      await seedPreview(knex, {
        entityRef: STOREFRONT,
        prNumber: i + 1,
        state,
      });
    }
    await seedPreview(knex, {
      entityRef: BILLING,
      prNumber: 1,
      state: 'ready',
    });
    await seedPreview(knex, {
      entityRef: BILLING,
      prNumber: 2,
      state: 'failed',
    });
  });

  it('counts live, building and failed previews of one entity', async () => {
    expect(await countPreviews(knex, STOREFRONT)).toEqual({
      live: 2,
      building: 3,
      failed: 1,
    });
    expect(await countPreviews(knex, BILLING)).toEqual({
      live: 1,
      building: 0,
      failed: 1,
    });
    expect(await countPreviews(knex, 'component:default/none')).toEqual({
      live: 0,
      building: 0,
      failed: 0,
    });
  });

  it('gives the summary three counters that share one query', async () => {
    const counters = previewCounters(knex);
    const queries: string[] = [];
    const onQuery = (q: { sql: string }) => queries.push(q.sql);
    knex.on('query', onQuery);
    try {
      const values = await Promise.all(
        counters.map(counter => counter.count(STOREFRONT)),
      );
      expect(
        counters.map((counter, i) => ({
          id: counter.id,
          title: counter.title,
          value: values[i],
        })),
      ).toEqual([
        { id: 'previews.live', title: 'Live previews', value: 2 },
        { id: 'previews.building', title: 'Previews building', value: 3 },
        { id: 'previews.failed', title: 'Failed previews', value: 1 },
      ]);
      expect(queries).toHaveLength(1);

      // The next summary reads afresh.
      await seedPreview(knex, {
        entityRef: STOREFRONT,
        prNumber: 100,
        state: 'ready',
      });
      queries.length = 0;
      expect(await counters[0].count(STOREFRONT)).toBe(3);
      expect(queries).toHaveLength(1);
    } finally {
      knex.removeListener('query', onQuery);
    }
  });
});
