import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const opened = (
  examples.find(e => e.name === 'pull_request')!.examples as Array<
    Record<string, any>
  >
).find(e => e.action === 'opened')!;

describe.each(databases.eachSupportedId())(
  'NUL characters in deliveries to POST /webhooks/github on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startOpsHubBackend>>;

    beforeAll(async () => {
      knex = await databases.init(id);
      server = await startOpsHubBackend({ knex });
    });

    it.each<[string, { action?: string; repository?: { full_name: string } }]>([
      [
        'a NUL in the repository',
        { repository: { ...opened.repository, full_name: 'acme/a\u0000b' } },
      ],
      ['a NUL in the action', { action: 'op\u0000ened' }],
    ])(
      'records a signed delivery with %s (202), the NUL replaced in what it reads',
      async (_, change) => {
        const body = JSON.stringify({ ...opened, ...change });
        const res = await request(server)
          .post('/api/opshub/webhooks/github')
          .set('Content-Type', 'application/json')
          .set('X-GitHub-Event', 'pull_request')
          .set(
            'X-GitHub-Delivery',
            `nul-${Math.random().toString(36).slice(2)}`,
          )
          .set(
            'X-Hub-Signature-256',
            await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
          )
          .send(body);
        expect(res.status).toBe(202);
        const stored = await knex('webhook_deliveries')
          .where({ delivery_id: res.body.deliveryId })
          .first();
        // The raw body is kept as signed; the fields read from it lose the NUL.
        expect({
          payload: stored.payload,
          action: stored.action,
          repository: stored.repository,
        }).toEqual({
          payload: body,
          action: (change.action ?? opened.action).replace('\u0000', '\uFFFD'),
          repository: (
            change.repository?.full_name ?? opened.repository.full_name
          ).replace('\u0000', '\uFFFD'),
        });
      },
    );
  },
);
