import { InMemoryCatalogClient } from '@backstage/catalog-client/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../__testUtils__/testBackend';
import { waitFor } from '../__testUtils__/waitFor';
import { DatabaseDeliveryStore } from './DatabaseDeliveryStore';

// Issue "Seen 2": the first PR of a repository whose Component is in the
// catalog but not yet in `projects` (the project sync runs every 5 minutes)
// was recorded unmatched, and nothing ever happened for it.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const opened = (
  examples.find(e => e.name === 'pull_request')!.examples as Array<
    Record<string, any>
  >
).find(e => e.action === 'opened')!;
const ENTITY = 'component:default/hello-world';
const MINUTE = 60_000;
const LOCATION =
  'url:https://github.com/Codertocat/Hello-World/blob/master/catalog-info.yaml';

const helloWorld: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'hello-world',
    namespace: 'default',
    annotations: {
      // GitHub sends Codertocat/Hello-World: names compare case-insensitively.
      'github.com/project-slug': 'codertocat/hello-world',
      'opshub.dev/preview-provider': 'mock',
      // Registered from its repository: its binding is verified.
      'backstage.io/managed-by-location': LOCATION,
    },
  },
  spec: { type: 'website', owner: 'group:default/web' },
};

/** The `opened` example for another PR number and repository. */
function pullRequest(
  number: number,
  repository = 'Codertocat/Hello-World',
): Record<string, any> {
  return {
    ...opened,
    number,
    pull_request: { ...opened.pull_request, number },
    repository: { ...opened.repository, full_name: repository },
  };
}

let deliveryCounter = 0;
const nextDeliveryId = () =>
  `5e1b0a3c-0000-4000-8000-${String(++deliveryCounter).padStart(12, '0')}`;

async function deliver(
  server: Awaited<ReturnType<typeof startOpsHubBackend>>,
  payload: unknown,
) {
  const body = JSON.stringify(payload);
  return request(server)
    .post('/api/opshub/webhooks/github')
    .set('Content-Type', 'application/json')
    .set('X-GitHub-Event', 'pull_request')
    .set('X-GitHub-Delivery', nextDeliveryId())
    .set(
      'X-Hub-Signature-256',
      await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
    )
    .send(body);
}

/** Records a delivery as it was recorded while no project named its repository. */
async function recordUnmatched(
  knex: Knex,
  deliveryId: string,
  payload: Record<string, any>,
  minutesAgo: number,
) {
  const { sql, bindings } = new DatabaseDeliveryStore(knex).insertStatement([
    {
      deliveryId,
      event: 'pull_request',
      action: payload.action,
      repository: payload.repository.full_name,
      receivedAt: new Date(Date.now() - minutesAgo * MINUTE),
      outcome: 'unmatched',
      jobCount: 0,
      redeliveries: 0,
      payload: JSON.stringify(payload),
    },
  ]);
  await knex.raw(sql, bindings as Knex.RawBinding[]);
}

async function outcomes(knex: Knex) {
  const rows = await knex('webhook_deliveries')
    .select('delivery_id', 'outcome', 'job_count', 'redeliveries')
    .orderBy('delivery_id');
  return Object.fromEntries(
    rows.map(row => [
      row.delivery_id,
      [row.outcome, Number(row.job_count), Number(row.redeliveries)],
    ]),
  );
}

async function jobKeys(knex: Knex) {
  return (await knex('jobs').select('key').orderBy('key')).map(row => row.key);
}

describe.each(databases.eachSupportedId())(
  'A delivery for a repository not yet in projects, on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startOpsHubBackend>>;
    let getEntities: jest.SpyInstance;

    /** Catalog calls that looked for Components naming `repoSlug`. */
    const catalogCallsFor = (repoSlug: string) =>
      getEntities.mock.calls.filter(
        ([req]) =>
          req?.filter?.['metadata.annotations.github.com/project-slug'] ===
          repoSlug,
      ).length;

    beforeAll(async () => {
      knex = await databases.init(id);
      getEntities = jest.spyOn(InMemoryCatalogClient.prototype, 'getEntities');
      // The default project sync waits 5 s before its first run: it never
      // runs here, as after onboarding before the next sync.
      server = await startOpsHubBackend({ knex, entities: [helloWorld] });
    });
    afterAll(() => getEntities.mockRestore());
    beforeEach(async () => {
      await knex('jobs').delete();
      await knex('webhook_deliveries').delete();
    });

    it('tracks the Component from the catalog and plans the delivery, and the unmatched ones of the last hour', async () => {
      await recordUnmatched(knex, 'earlier', pullRequest(7), 20);
      await recordUnmatched(knex, 'too-old', pullRequest(8), 61);
      await expect(
        new DatabaseProjectStore(knex).getProject(ENTITY),
      ).resolves.toBeUndefined();

      const res = await deliver(server, opened);

      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        outcome: 'enqueued',
        jobIds: [expect.any(String)],
      });
      const jobs = await knex('jobs').select('id', 'type', 'key', 'state');
      expect(jobs).toEqual(
        expect.arrayContaining([
          {
            id: expect.anything(),
            type: 'create-preview',
            key: `preview:${ENTITY}#2`,
            state: 'queued',
          },
        ]),
      );
      expect(String(jobs.find(j => j.key === `preview:${ENTITY}#2`)!.id)).toBe(
        res.body.jobIds[0],
      );
      expect(await jobKeys(knex)).toEqual([
        `preview:${ENTITY}#2`,
        `preview:${ENTITY}#7`,
      ]);
      expect(await outcomes(knex)).toEqual({
        [res.body.deliveryId]: ['enqueued', 1, 0],
        earlier: ['enqueued', 1, 0],
        'too-old': ['unmatched', 0, 0],
      });
      await expect(
        new DatabaseProjectStore(knex).getProject(ENTITY),
      ).resolves.toEqual({
        entityRef: ENTITY,
        repoSlug: 'codertocat/hello-world',
        previewProvider: 'mock',
        ownerRef: 'group:default/web',
        trackedSince: expect.any(Date),
        location: LOCATION,
        verifiedBy: 'location',
      });

      // From now on the projects table answers: no catalog call.
      const before = getEntities.mock.calls.length;
      const next = await deliver(server, pullRequest(9));
      expect(next.body.outcome).toBe('enqueued');
      expect(getEntities.mock.calls.length).toBe(before);
      expect(catalogCallsFor('codertocat/hello-world')).toBe(1);
    });

    it('asks the catalog once per window about a repository no Component names', async () => {
      const res = await Promise.all([
        deliver(server, pullRequest(1, 'someone/else')),
        deliver(server, pullRequest(2, 'someone/else')),
      ]);
      const again = await deliver(server, pullRequest(3, 'Someone/Else'));
      const other = await deliver(server, pullRequest(1, 'someone/other'));

      expect(
        [...res, again, other].map(r => [r.status, r.body.outcome]),
      ).toEqual(Array(4).fill([202, 'unmatched']));
      expect(catalogCallsFor('someone/else')).toBe(1);
      expect(catalogCallsFor('Someone/Else')).toBe(0);
      expect(catalogCallsFor('someone/other')).toBe(1);
      expect(await jobKeys(knex)).toEqual([]);
      await expect(
        new DatabaseProjectStore(knex).findByRepoSlug('someone/else'),
      ).resolves.toEqual([]);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'The project sync tracking a repository, on %s',
  id => {
    it('plans its unmatched deliveries of the last hour again, and no others', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      await recordUnmatched(knex, 'a-opened', pullRequest(7), 50);
      // The same PR later: its job coalesces with the first one's.
      await recordUnmatched(
        knex,
        'b-synchronize',
        { ...pullRequest(7), action: 'synchronize' },
        30,
      );
      await recordUnmatched(
        knex,
        'c-lower-case',
        pullRequest(8, 'codertocat/hello-world'),
        10,
      );
      await recordUnmatched(knex, 'd-too-old', pullRequest(9), 61);
      await recordUnmatched(
        knex,
        'e-other-repository',
        pullRequest(10, 'someone/else'),
        10,
      );

      // Without an initial delay the sync runs as the backend starts.
      await startOpsHubBackend({
        knex,
        entities: [helloWorld],
        config: {
          projectSync: {
            schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } },
          },
        },
      });

      await waitFor(
        async () => (await outcomes(knex))['c-lower-case'][0] === 'enqueued',
        { what: 'the unmatched deliveries planned again' },
      );
      expect(await outcomes(knex)).toEqual({
        'a-opened': ['enqueued', 1, 0],
        'b-synchronize': ['enqueued', 1, 0],
        'c-lower-case': ['enqueued', 1, 0],
        'd-too-old': ['unmatched', 0, 0],
        'e-other-repository': ['unmatched', 0, 0],
      });
      const jobs = await knex('jobs')
        .select('type', 'key', 'payload', 'state')
        .orderBy('key');
      expect(
        jobs.map(j => [j.type, j.key, JSON.parse(j.payload).action, j.state]),
      ).toEqual([
        ['create-preview', `preview:${ENTITY}#7`, 'synchronize', 'queued'],
        ['create-preview', `preview:${ENTITY}#8`, 'opened', 'queued'],
      ]);
    });
  },
);
