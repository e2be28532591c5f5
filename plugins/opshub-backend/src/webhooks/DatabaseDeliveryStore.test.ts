import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseDeliveryStore } from './DatabaseDeliveryStore';
import type { DeliveryOutcome, DeliveryWithPayload } from './DeliveryStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MINUTE = 60_000;

describe.each(databases.eachSupportedId())(
  'DatabaseDeliveryStore on %s',
  id => {
    async function createStore() {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const store = new DatabaseDeliveryStore(knex);
      const jobs = new DatabaseJobStore(knex);
      const now = Date.now();
      async function record(
        deliveryId: string,
        repository: string | null,
        minutesAgo: number,
        outcome: DeliveryOutcome = 'unmatched',
      ) {
        const delivery: DeliveryWithPayload = {
          deliveryId,
          event: 'pull_request',
          action: 'opened',
          repository,
          receivedAt: new Date(now - minutesAgo * MINUTE),
          outcome,
          jobCount: 0,
          redeliveries: 0,
          payload: `{"id":"${deliveryId}"}`,
        };
        await jobs.enqueueGuarded(store.insertStatement([delivery]), []);
        return delivery;
      }
      return { knex, store, record, now };
    }

    it('lists the unmatched deliveries of some repositories since a time, oldest first', async () => {
      const { store, record, now } = await createStore();
      const a = await record('a', 'Acme/Web', 30);
      const b = await record('b', 'acme/web', 10);
      const c = await record('c', 'acme/api', 20);
      await record('too-old', 'acme/web', 90);
      await record('enqueued', 'acme/web', 5, 'enqueued');
      await record('ignored', 'acme/web', 5, 'ignored');
      await record('other', 'acme/other', 5);
      await record('no-repository', null, 5);

      const since = new Date(now - 60 * MINUTE);
      await expect(
        store.listUnmatched({
          repositories: ['ACME/WEB', 'acme/api'],
          since,
          limit: 10,
        }),
      ).resolves.toEqual([a, c, b]);
      await expect(
        store.listUnmatched({ repositories: [], since, limit: 10 }),
      ).resolves.toEqual([]);

      // Paging: after the last one of a page, ties broken by id.
      const tie = await record('b2', 'acme/web', 10);
      const repositories = ['acme/web', 'acme/api'];
      const first = await store.listUnmatched({
        repositories,
        since,
        limit: 2,
      });
      expect(first.map(d => d.deliveryId)).toEqual(['a', 'c']);
      const second = await store.listUnmatched({
        repositories,
        since,
        limit: 2,
        after: first[1],
      });
      expect(second.map(d => d.deliveryId)).toEqual(['b', 'b2']);
      await expect(
        store.listUnmatched({ repositories, since, limit: 2, after: b }),
      ).resolves.toEqual([tie]);
    });

    it('marks an unmatched delivery matched once, and nothing else', async () => {
      const { knex, store, record } = await createStore();
      await record('unmatched', 'acme/web', 1);
      await record('ignored', 'acme/web', 1, 'ignored');

      await expect(
        knex.transaction(trx => store.markMatched(trx, 'unmatched', 2)),
      ).resolves.toBe(true);
      await expect(
        knex.transaction(trx => store.markMatched(trx, 'unmatched', 2)),
      ).resolves.toBe(false);
      await expect(
        knex.transaction(trx => store.markMatched(trx, 'ignored', 1)),
      ).resolves.toBe(false);
      await expect(
        knex.transaction(trx => store.markMatched(trx, 'missing', 1)),
      ).resolves.toBe(false);

      await expect(store.get('unmatched')).resolves.toMatchObject({
        outcome: 'enqueued',
        jobCount: 2,
        redeliveries: 0,
      });
      await expect(store.get('ignored')).resolves.toMatchObject({
        outcome: 'ignored',
        jobCount: 0,
      });
    });

    it('lists and marks matched the unverified deliveries too, and filters by that outcome', async () => {
      const { knex, store, record, now } = await createStore();
      const unverified = await record(
        'unverified',
        'acme/web',
        2,
        'unverified',
      );
      const unmatched = await record('unmatched', 'acme/web', 1);
      await record('enqueued', 'acme/web', 1, 'enqueued');

      await expect(
        store.listUnmatched({
          repositories: ['acme/web'],
          since: new Date(now - 60 * MINUTE),
          limit: 10,
        }),
      ).resolves.toEqual([unverified, unmatched]);
      expect(
        (await store.list({ outcome: 'unverified', limit: 10 })).map(
          d => d.deliveryId,
        ),
      ).toEqual(['unverified']);

      await expect(
        knex.transaction(trx => store.markMatched(trx, 'unverified', 1)),
      ).resolves.toBe(true);
      await expect(store.get('unverified')).resolves.toMatchObject({
        outcome: 'enqueued',
        jobCount: 1,
      });
    });
  },
);
