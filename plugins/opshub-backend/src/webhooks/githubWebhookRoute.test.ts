import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import type { Knex } from 'knex';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  asUser,
  OLD_WEBHOOK_SECRET,
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../__testUtils__/testBackend';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const pullRequestExamples = examples.find(e => e.name === 'pull_request')!
  .examples as Array<Record<string, any>>;
const opened = pullRequestExamples.find(e => e.action === 'opened')!;
const ENTITY = 'component:default/hello-world';

function sign(body: string, secret = WEBHOOK_SECRET) {
  return new Webhooks({ secret }).sign(body);
}

let deliveryCounter = 0;
const nextDeliveryId = () =>
  `72d3162e-cc78-11e3-81ab-${String(++deliveryCounter).padStart(12, '0')}`;

describe.each(databases.eachSupportedId())(
  'POST /webhooks/github on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startOpsHubBackend>>;

    beforeAll(async () => {
      knex = await databases.init(id);
      server = await startOpsHubBackend({ knex });
      await new DatabaseProjectStore(knex).replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'Codertocat/Hello-World',
          location:
            'url:https://github.com/Codertocat/Hello-World/blob/master/catalog-info.yaml',
          verifiedBy: 'location',
        },
      ]);
    });
    beforeEach(async () => {
      await knex('jobs').delete();
      await knex('webhook_deliveries').delete();
    });

    async function deliver(
      payload: unknown,
      options: {
        event?: string | null;
        deliveryId?: string | null;
        signature?: string | null;
        contentType?: string;
        body?: string;
      } = {},
    ) {
      const body = options.body ?? JSON.stringify(payload);
      const req = request(server)
        .post('/api/opshub/webhooks/github')
        .set('Content-Type', options.contentType ?? 'application/json');
      const event =
        options.event === undefined ? 'pull_request' : options.event;
      const deliveryId =
        options.deliveryId === undefined
          ? nextDeliveryId()
          : options.deliveryId;
      const signature =
        options.signature === undefined ? await sign(body) : options.signature;
      if (event) req.set('X-GitHub-Event', event);
      if (deliveryId) req.set('X-GitHub-Delivery', deliveryId);
      if (signature) req.set('X-Hub-Signature-256', signature);
      return req.send(body);
    }

    const recorded = async () => ({
      deliveries: Number(
        (await knex('webhook_deliveries').count({ n: '*' }))[0].n,
      ),
      jobs: await knex('jobs').select('type', 'key', 'payload', 'state'),
    });

    it('accepts a signed pull_request and enqueues its preview job', async () => {
      const deliveryId = nextDeliveryId();
      const res = await deliver(opened, { deliveryId });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        deliveryId,
        duplicate: false,
        outcome: 'enqueued',
        jobIds: [expect.any(String)],
      });
      const { jobs } = await recorded();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        type: 'create-preview',
        key: `preview:${ENTITY}#2`,
        state: 'queued',
      });
      expect(JSON.parse(jobs[0].payload)).toEqual({
        deliveryId,
        entityRef: ENTITY,
        repository: 'Codertocat/Hello-World',
        action: 'opened',
        pullRequest: {
          number: 2,
          title: opened.pull_request.title,
          author: 'Codertocat',
          draft: false,
          merged: false,
          state: 'open',
          labels: [],
          headSha: opened.pull_request.head.sha,
          headRef: 'changes',
          baseRef: 'master',
          fromFork: false,
          updatedAt: opened.pull_request.updated_at,
        },
      });
    });

    it('accepts a delivery signed with a retired secret still configured', async () => {
      const body = JSON.stringify(opened);
      const res = await deliver(opened, {
        body,
        signature: await sign(body, OLD_WEBHOOK_SECRET),
      });
      expect(res.status).toBe(202);
    });

    const refusals: Array<
      [string, () => Promise<Parameters<typeof deliver>[1]>, number, string]
    > = [
      [
        'a wrong secret',
        async () => ({
          signature: await sign(JSON.stringify(opened), 'wrong'),
        }),
        401,
        'AuthenticationError',
      ],
      [
        'no signature',
        async () => ({ signature: null }),
        401,
        'AuthenticationError',
      ],
      [
        'a legacy SHA-1 signature only',
        async () => ({
          signature: 'sha1=d03207e4b030cf234e3447bac4d93add4c6643d8',
        }),
        401,
        'AuthenticationError',
      ],
      [
        'a tampered body',
        async () => ({
          signature: await sign(JSON.stringify(opened)),
          body: JSON.stringify({ ...opened, action: 'closed' }),
        }),
        401,
        'AuthenticationError',
      ],
      ['no X-GitHub-Event', async () => ({ event: null }), 400, 'InputError'],
      [
        'no X-GitHub-Delivery',
        async () => ({ deliveryId: null }),
        400,
        'InputError',
      ],
      [
        'a malformed delivery id',
        async () => ({ deliveryId: '../../etc' }),
        400,
        'InputError',
      ],
      [
        'a form-encoded body',
        async () => ({ contentType: 'application/x-www-form-urlencoded' }),
        415,
        'UnsupportedMediaTypeError',
      ],
      [
        'a text body',
        async () => ({ contentType: 'text/plain' }),
        415,
        'UnsupportedMediaTypeError',
      ],
      [
        'a body over maxPayloadBytes',
        async () => ({
          body: JSON.stringify({ ...opened, padding: 'x'.repeat(70 * 1024) }),
        }),
        413,
        'PayloadTooLargeError',
      ],
      [
        'signed invalid JSON',
        async () => ({ body: '{"action": "opened",' }),
        400,
        'InputError',
      ],
      [
        'signed JSON that is not an object',
        async () => ({ body: '[1, 2]' }),
        400,
        'InputError',
      ],
    ];

    it.each(refusals)('refuses %s', async (_case, options, status, name) => {
      const res = await deliver(opened, await options());
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        error: { name, message: expect.any(String) },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
      expect(await recorded()).toEqual({ deliveries: 0, jobs: [] });
    });

    it('records a duplicate delivery once and enqueues nothing again', async () => {
      const deliveryId = nextDeliveryId();
      expect((await deliver(opened, { deliveryId })).status).toBe(202);
      const again = await deliver(opened, { deliveryId });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ deliveryId, duplicate: true });
      expect(await recorded()).toMatchObject({
        deliveries: 1,
        jobs: [expect.anything()],
      });
    });

    it('answers each of many concurrent deliveries as if it came alone', async () => {
      // Concurrent deliveries are recorded in groups; every answer and row
      // must still be the one a lone delivery gets.
      const pr = (number: number) => ({
        ...opened,
        number,
        pull_request: { ...opened.pull_request, number },
      });
      const twiceId = nextDeliveryId();
      const sends = [
        ...Array.from({ length: 20 }, (_, i) => ({
          payload: pr(100 + i),
          deliveryId: nextDeliveryId(),
        })),
        { payload: pr(7), deliveryId: twiceId },
        { payload: pr(7), deliveryId: twiceId },
        { payload: pr(8), deliveryId: nextDeliveryId() },
        { payload: pr(8), deliveryId: nextDeliveryId() },
        {
          payload: {
            ...opened,
            repository: { ...opened.repository, full_name: 'someone/else' },
          },
          deliveryId: nextDeliveryId(),
        },
      ];
      const answers = await Promise.all(
        sends.map(s => deliver(s.payload, { deliveryId: s.deliveryId })),
      );

      const byId = answers.map(a => a.body);
      expect(answers.slice(0, 20).map(a => [a.status, a.body.outcome])).toEqual(
        Array(20).fill([202, 'enqueued']),
      );
      expect(
        answers
          .slice(20, 22)
          .map(a => a.status)
          .sort(),
      ).toEqual([200, 202]);
      const [samePrA, samePrB] = byId.slice(22, 24);
      expect(samePrA.jobIds).toHaveLength(1);
      expect(samePrB.jobIds).toEqual(samePrA.jobIds);
      expect(answers[24].body).toMatchObject({
        outcome: 'unmatched',
        jobIds: [],
      });

      const { deliveries, jobs } = await recorded();
      expect(deliveries).toBe(sends.length - 1);
      // One job per PR: 20 + PR 7 once + PR 8 coalesced.
      expect(jobs.map(j => j.key).sort()).toEqual(
        [...Array.from({ length: 20 }, (_, i) => 100 + i), 7, 8]
          .map(n => `preview:${ENTITY}#${n}`)
          .sort(),
      );
      const ids = (await knex('jobs').select('id', 'key')).map(row => [
        row.key,
        String(row.id),
      ]);
      const idOf = new Map(ids as [string, string][]);
      answers
        .slice(0, 20)
        .forEach((a, i) =>
          expect(a.body.jobIds).toEqual([
            idOf.get(`preview:${ENTITY}#${100 + i}`),
          ]),
        );
    });

    it.each(pullRequestExamples.map(e => [e.action, e] as const))(
      'maps pull_request.%s',
      async (action, payload) => {
        const res = await deliver(payload);
        expect(res.status).toBe(202);
        const jobTypes: Record<string, string> = {
          opened: 'create-preview',
          reopened: 'create-preview',
          synchronize: 'create-preview',
          ready_for_review: 'create-preview',
          labeled: 'create-preview',
          unlabeled: 'create-preview',
          closed: 'teardown-preview',
        };
        const jobType = jobTypes[action];
        const { jobs } = await recorded();
        expect({
          outcome: res.body.outcome,
          jobs: jobs.map(j => j.type),
        }).toEqual(
          jobType
            ? { outcome: 'enqueued', jobs: [jobType] }
            : { outcome: 'ignored', jobs: [] },
        );
      },
    );

    it('stores the body exactly as signed, whatever its characters', async () => {
      const body = JSON.stringify({
        ...opened,
        pull_request: { ...opened.pull_request, title: 'Grüße 🚀 — 日本語' },
      });
      const res = await deliver(undefined, { body });
      expect(res.status).toBe(202);
      const stored = await knex('webhook_deliveries').first('payload');
      expect(stored.payload).toBe(body);
    });

    it('stores a body that is not UTF-8 as the text it was verified as', async () => {
      // Bytes that are not UTF-8 verify only when signed as their decoded
      // text (U+FFFD for each bad byte), which is what gets stored; never a
      // 5xx.
      const text = JSON.stringify({ ...opened, note: 'AB' });
      const bytes = Buffer.from(text.replace('AB', 'A\uFFFDB'));
      bytes[bytes.indexOf(Buffer.from('\uFFFD'))] = 0xff;
      const decoded = bytes.toString('utf8');
      // Raw bytes: supertest would send a Buffer as JSON of its bytes.
      const { port } = server.address() as AddressInfo;
      const res = await fetch(
        `http://127.0.0.1:${port}/api/opshub/webhooks/github`,
        {
          method: 'POST',
          body: bytes,
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'pull_request',
            'x-github-delivery': nextDeliveryId(),
            'x-hub-signature-256': await sign(decoded),
          },
        },
      );
      expect(res.status).toBe(202);
      const stored = await knex('webhook_deliveries').first('payload');
      expect(stored.payload).toBe(decoded);
    });

    it('records other events as ignored', async () => {
      const push = examples.find(e => e.name === 'push')!.examples[0];
      const res = await deliver(push, { event: 'push' });
      expect(res.status).toBe(202);
      expect(res.body.outcome).toBe('ignored');
      expect((await recorded()).jobs).toEqual([]);
    });

    it('records a repository no entity names as unmatched', async () => {
      const payload = {
        ...opened,
        repository: { ...opened.repository, full_name: 'someone/else' },
      };
      const res = await deliver(payload);
      expect(res.status).toBe(202);
      expect(res.body.outcome).toBe('unmatched');
      expect(await recorded()).toEqual({ deliveries: 1, jobs: [] });
    });

    describe('with secrets scoped to owners and repositories', () => {
      const REPO_SECRET = 'the secret of one repository webhook';
      const OWNER_SECRET = 'the secret of one owner';
      let scoped: typeof server;

      beforeAll(async () => {
        scoped = await startOpsHubBackend({
          knex,
          config: {
            github: {
              webhookSecret: WEBHOOK_SECRET,
              additionalWebhookSecrets: [
                OLD_WEBHOOK_SECRET,
                {
                  secret: REPO_SECRET,
                  repositories: ['codertocat/HELLO-world'],
                },
                { secret: OWNER_SECRET, owners: ['CODERTOCAT'] },
              ],
              maxPayloadBytes: 64 * 1024,
            },
          },
        });
      });

      const about = (fullName: string | null) =>
        fullName === null
          ? { zen: 'Keep it logically awesome.', hook_id: 42 }
          : {
              ...opened,
              repository: { ...opened.repository, full_name: fullName },
            };

      async function deliverSigned(
        payload: object,
        secret: string,
        event = 'pull_request',
      ) {
        const body = JSON.stringify(payload);
        return request(scoped)
          .post('/api/opshub/webhooks/github')
          .set('Content-Type', 'application/json')
          .set('X-GitHub-Event', event)
          .set('X-GitHub-Delivery', nextDeliveryId())
          .set('X-Hub-Signature-256', await sign(body, secret))
          .send(body);
      }

      it.each([
        [
          'a repository secret',
          'its repository',
          REPO_SECRET,
          'Codertocat/Hello-World',
        ],
        [
          'a repository secret',
          'its repository in any case',
          REPO_SECRET,
          'CODERTOCAT/hello-world',
        ],
        [
          'an owner secret',
          'a repository of its owner',
          OWNER_SECRET,
          'codertocat/Other',
        ],
        [
          'a plain-string secret',
          'any repository',
          OLD_WEBHOOK_SECRET,
          'someone/else',
        ],
        [
          'the primary secret',
          'any repository',
          WEBHOOK_SECRET,
          'someone/else',
        ],
      ])('%s signs for %s', async (_secret, _repo, secret, fullName) => {
        const res = await deliverSigned(about(fullName), secret);
        expect(res.status).toBe(202);
        expect((await recorded()).deliveries).toBe(1);
      });

      it.each([
        [
          'a repository secret',
          'another repository of its owner',
          REPO_SECRET,
          'Codertocat/Other',
        ],
        ['a repository secret', 'another owner', REPO_SECRET, 'someone/else'],
        ['an owner secret', 'another owner', OWNER_SECRET, 'someone/else'],
        [
          'an owner secret',
          'an owner whose name it starts',
          OWNER_SECRET,
          'Codertocat-evil/Hello-World',
        ],
      ])(
        '%s does not sign for %s',
        async (_secret, _repo, secret, fullName) => {
          const res = await deliverSigned(about(fullName), secret);
          expect(res.status).toBe(401);
          expect(res.body).toEqual({
            error: {
              name: 'AuthenticationError',
              message: `The signing secret is not valid for repository ${fullName}`,
            },
          });
          expect(await recorded()).toEqual({ deliveries: 0, jobs: [] });
        },
      );

      it('accepts a delivery about no repository only with an unscoped secret', async () => {
        for (const secret of [REPO_SECRET, OWNER_SECRET]) {
          const res = await deliverSigned(about(null), secret, 'ping');
          expect(res.status).toBe(401);
          expect(res.body).toEqual({
            error: {
              name: 'AuthenticationError',
              message:
                'The signing secret is not valid for deliveries without a repository',
            },
          });
        }
        expect((await recorded()).deliveries).toBe(0);
        for (const secret of [OLD_WEBHOOK_SECRET, WEBHOOK_SECRET]) {
          const res = await deliverSigned(about(null), secret, 'ping');
          expect(res.status).toBe(202);
          expect(res.body.outcome).toBe('ignored');
        }
      });

      it('still refuses a wrong secret with the signature message', async () => {
        const res = await deliverSigned(
          about('Codertocat/Hello-World'),
          'wrong',
        );
        expect(res.status).toBe(401);
        expect(res.body.error.message).toBe(
          'Missing or invalid X-Hub-Signature-256',
        );
      });
    });

    it('lists, shows and re-processes stored deliveries', async () => {
      const deliveryId = nextDeliveryId();
      await deliver(opened, { deliveryId });
      const [job] = await knex('jobs').select('id');

      const list = await request(server)
        .get('/api/opshub/webhooks/deliveries?outcome=enqueued')
        .set(asUser);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        {
          deliveryId,
          event: 'pull_request',
          action: 'opened',
          repository: 'Codertocat/Hello-World',
          receivedAt: expect.any(String),
          outcome: 'enqueued',
          jobCount: 1,
          redeliveries: 0,
        },
      ]);
      const shown = await request(server)
        .get(`/api/opshub/webhooks/deliveries/${deliveryId}`)
        .set(asUser);
      expect(shown.body.payload).toEqual(opened);

      const redelivered = await request(server)
        .post(`/api/opshub/webhooks/deliveries/${deliveryId}/redeliver`)
        .set(asUser);
      expect(redelivered.status).toBe(200);
      // The job still waits, so the redelivery coalesces into it.
      expect(redelivered.body).toEqual({
        deliveryId,
        duplicate: false,
        outcome: 'enqueued',
        jobIds: [String(job.id)],
      });
      const after = await request(server)
        .get(`/api/opshub/webhooks/deliveries/${deliveryId}`)
        .set(asUser);
      expect(after.body.redeliveries).toBe(1);

      const missing = await request(server)
        .post('/api/opshub/webhooks/deliveries/nope/redeliver')
        .set(asUser);
      expect(missing.status).toBe(404);
      expect(
        (await request(server).get('/api/opshub/webhooks/deliveries')).status,
      ).toBe(401);
      expect(
        (
          await request(server)
            .get('/api/opshub/webhooks/deliveries?limit=5000')
            .set(asUser)
        ).status,
      ).toBe(400);
    });
  },
);

describe('POST /webhooks/github without a configured secret on SQLITE_3', () => {
  it('refuses deliveries with 503', async () => {
    const knex = await databases.init('SQLITE_3');
    const server = await startOpsHubBackend({
      knex,
      config: { github: {} },
    });
    const body = JSON.stringify(opened);
    const res = await request(server)
      .post('/api/opshub/webhooks/github')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'pull_request')
      .set('X-GitHub-Delivery', nextDeliveryId())
      .set('X-Hub-Signature-256', await sign(body))
      .send(body);
    expect(res.status).toBe(503);
  });
});
