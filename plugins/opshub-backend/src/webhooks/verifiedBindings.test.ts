import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import {
  type FakeProviderApi,
  startFakeGithub,
} from '@opshub/plugin-opshub-node/testUtils';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseBindingApprovals } from '../projects/DatabaseBindingApprovals';
import { createTestDatabases } from '../__testUtils__/databases';
import { waitFor } from '../__testUtils__/waitFor';
import { writeBackBackendFeatures } from '../__testUtils__/writeBackBackend';

// Issue 2/11, "Verified bindings": a catalog annotation was believed as
// proof, so any entity could claim any repository with
// github.com/project-slug, and OpsHub built that repository's PRs for it and
// wrote statuses and comments into it.

jest.setTimeout(120_000);

const databases = createTestDatabases();
const SECRET = 'verified-bindings-webhook-secret';
const WEB = 'component:default/web';
const INTRUDER = 'component:default/intruder';
const IN_REPO = 'url:https://github.com/Acme/Web/tree/main/';
const asAlice = {
  Authorization: mockCredentials.user.header('user:default/alice'),
};
const opened = (
  examples.find(e => e.name === 'pull_request')!.examples as Array<
    Record<string, any>
  >
).find(e => e.action === 'opened')!;

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'github.com/project-slug': 'acme/web',
        'opshub.dev/preview-provider': 'mock',
        ...annotations,
      },
    },
    spec: { type: 'website', owner: 'group:default/web' },
  };
}

const located = (location: string) =>
  ({ 'backstage.io/managed-by-location': location } as Record<string, string>);

/** `opened` for PR `number` of acme/web, its own head. */
function pullRequest(number: number) {
  const repo = { ...opened.repository, full_name: 'acme/web' };
  return {
    ...opened,
    number,
    pull_request: {
      ...opened.pull_request,
      number,
      head: {
        ...opened.pull_request.head,
        sha: String(number).padStart(40, 'a'),
        repo,
      },
      base: { ...opened.pull_request.base, repo },
    },
    repository: repo,
  };
}

let deliveryCounter = 0;

describe.each(databases.eachSupportedId())('Repository bindings on %s', id => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** The backend of writeBackBackendFeatures, on the test database. */
  async function start(options: {
    entities: Entity[];
    opshub?: Record<string, unknown>;
    worker?: boolean;
    seed?: (knex: Knex) => Promise<unknown>;
  }) {
    const knex = await databases.init(id);
    if (options.seed) {
      await migrateUp(knex);
      await options.seed(knex);
    }
    const github = await startFakeGithub();
    cleanups.push(() => github.close());
    const backend = await startTestBackend({
      features: writeBackBackendFeatures({
        knex,
        entities: options.entities,
        githubUrl: github.url,
        webhookSecret: SECRET,
        opshub: options.opshub,
        worker: options.worker,
      }),
    });
    cleanups.push(() => backend.stop());
    return { knex, github, server: backend.server };
  }

  async function deliver(
    server: Parameters<typeof request>[0],
    number: number,
  ) {
    const body = JSON.stringify(pullRequest(number));
    const res = await request(server)
      .post('/api/opshub/webhooks/github')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'pull_request')
      .set(
        'X-GitHub-Delivery',
        `0b1d1e55-0000-4000-8000-${String(++deliveryCounter).padStart(
          12,
          '0',
        )}`,
      )
      .set(
        'X-Hub-Signature-256',
        await new Webhooks({ secret: SECRET }).sign(body),
      )
      .send(body);
    expect(res.status).toBe(202);
    return res.body as {
      deliveryId: string;
      outcome: string;
      jobIds: string[];
    };
  }

  const jobKeys = async (knex: Knex) =>
    (await knex('jobs').select('key').orderBy('key')).map(row => row.key);
  const writes = (github: FakeProviderApi) =>
    github.requests
      .filter(r => r.method !== 'GET')
      .map(r => `${r.method} ${r.path}`);

  it.each([
    [
      'a catalog location in another repository',
      located('url:https://github.com/evil/tools/blob/main/catalog-info.yaml'),
    ],
    ['a file: catalog location', located('file:/srv/catalog/web.yaml')],
    [
      'only a source location pointing at the repository',
      {
        'backstage.io/source-location':
          'url:https://github.com/acme/web/tree/main/',
      },
    ],
    [
      'a catalog location in a repository whose name starts like it',
      located(
        'url:https://github.com/acme/web-other/blob/main/catalog-info.yaml',
      ),
    ],
  ])(
    'records a PR of a repository claimed by an entity with %s as unverified: no job, nothing to GitHub',
    async (_case, annotations) => {
      const { knex, github, server } = await start({
        entities: [component('web', annotations)],
      });

      const answer = await deliver(server, 1);

      expect(answer).toMatchObject({ outcome: 'unverified', jobIds: [] });
      expect(await jobKeys(knex)).toEqual([]);
      const listed = await request(server)
        .get('/api/opshub/webhooks/deliveries?outcome=unverified')
        .set(asAlice);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          deliveryId: answer.deliveryId,
          outcome: 'unverified',
          jobCount: 0,
        }),
      ]);
      // Tracked all the same, so the admin page can offer an approval.
      const bindings = await request(server)
        .get('/api/opshub/org/bindings?verified=false')
        .set(asAlice);
      expect(bindings.body.items).toEqual([
        expect.objectContaining({
          entityRef: WEB,
          repository: 'acme/web',
          verified: false,
          problem: expect.stringMatching(
            /^component:default\/web claims acme\/web, but /,
          ),
        }),
      ]);
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(Number((await knex('previews').count({ n: '*' }))[0].n)).toBe(0);
      expect(github.requests).toEqual([]);
    },
  );

  it('builds a PR of a repository claimed by an entity registered from inside it, and writes to GitHub', async () => {
    const { knex, github, server } = await start({
      entities: [component('web', located(IN_REPO))],
    });

    const answer = await deliver(server, 1);

    expect(answer).toMatchObject({
      outcome: 'enqueued',
      jobIds: [expect.any(String)],
    });
    expect(await jobKeys(knex)).toContain(`preview:${WEB}#1`);
    await waitFor(
      () =>
        writes(github).includes(
          `POST /repos/acme/web/statuses/${'1'.padStart(40, 'a')}`,
        ),
      { what: 'the commit status' },
    );
  });

  it('acts once an org owner approves the binding, and stops when the approval is revoked', async () => {
    const { knex, server } = await start({
      entities: [component('web', located('file:/srv/catalog/web.yaml'))],
      worker: false,
    });
    const path = '/api/opshub/org/bindings/component/default/web';

    const before = await deliver(server, 1);
    expect(before.outcome).toBe('unverified');

    // The approver approves the repository they saw; the entity's claim
    // is another one now: nothing is approved.
    const stale = await request(server)
      .put(path)
      .set(asAlice)
      .send({ repository: 'acme/other' });
    expect(stale.status).toBe(409);
    expect((await deliver(server, 2)).outcome).toBe('unverified');

    const approved = await request(server)
      .put(path)
      .set(asAlice)
      .send({ repository: 'Acme/Web' });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({
      entityRef: WEB,
      repository: 'acme/web',
      verified: true,
      verifiedBy: 'approval',
      approvedBy: 'user:default/alice',
      approvedAt: expect.stringMatching(/^\d{4}-/),
      problem: null,
    });
    // The deliveries it left unverified are planned again.
    const replanned = await request(server)
      .get(`/api/opshub/webhooks/deliveries/${before.deliveryId}`)
      .set(asAlice);
    expect(replanned.body).toMatchObject({
      outcome: 'enqueued',
      jobCount: 1,
    });
    expect(await deliver(server, 3)).toMatchObject({
      outcome: 'enqueued',
      jobIds: [expect.any(String)],
    });
    expect(await jobKeys(knex)).toEqual([
      `preview:${WEB}#1`,
      `preview:${WEB}#2`,
      `preview:${WEB}#3`,
    ]);
    const summary = await request(server)
      .get('/api/opshub/entities/component/default/web/summary')
      .set(asAlice);
    expect(summary.body.binding).toEqual(approved.body);

    const revoked = await request(server).delete(path).set(asAlice);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      entityRef: WEB,
      verified: false,
      verifiedBy: null,
      approvedBy: null,
      problem: expect.stringContaining(
        'its catalog location is file:/srv/catalog/web.yaml',
      ),
    });
    expect(await deliver(server, 4)).toMatchObject({
      outcome: 'unverified',
      jobIds: [],
    });
    expect(await jobKeys(knex)).not.toContain(`preview:${WEB}#4`);

    // Both were audited on the installation's activity log.
    const activity = await request(server)
      .get('/api/opshub/org/activity')
      .set(asAlice);
    expect(
      activity.body.items.map((a: { action: string; details: object }) => [
        a.action,
        a.details,
      ]),
    ).toEqual([
      [
        'binding-revoke',
        {
          project: WEB,
          repository: 'acme/web',
          verified: false,
          verifiedBy: null,
        },
      ],
      [
        'binding-approve',
        {
          project: WEB,
          repository: 'acme/web',
          verifiedBy: 'approval',
        },
      ],
    ]);
  });

  it('refuses to approve an entity that names no repository or does not exist', async () => {
    const plain: Entity = {
      ...component('plain', {}),
      metadata: { name: 'plain', namespace: 'default' },
    };
    const { server } = await start({ entities: [plain], worker: false });
    const put = (name: string, body?: object) =>
      request(server)
        .put(`/api/opshub/org/bindings/component/default/${name}`)
        .set(asAlice)
        .send(body);
    expect((await put('plain')).status).toBe(400);
    expect((await put('missing')).status).toBe(404);
    expect((await put('plain', { repository: 'not a repo' })).status).toBe(400);
    expect(
      (
        await request(server)
          .delete('/api/opshub/org/bindings/component/default/plain')
          .set(asAlice)
      ).status,
    ).toBe(404);
  });

  it('does not count an approval of a repository the entity no longer names', async () => {
    const { knex, server } = await start({
      entities: [component('web', located('file:/srv/catalog/web.yaml'))],
      worker: false,
      seed: db =>
        new DatabaseBindingApprovals(db).approve(
          WEB,
          'acme/old-web',
          'user:default/root',
        ),
    });

    expect(await deliver(server, 1)).toMatchObject({
      outcome: 'unverified',
      jobIds: [],
    });
    expect(await jobKeys(knex)).toEqual([]);
    const summary = await request(server)
      .get('/api/opshub/entities/component/default/web/summary')
      .set(asAlice);
    expect(summary.body.binding).toMatchObject({
      verified: false,
      approvedBy: null,
      problem: expect.stringContaining(
        'the approval by user:default/root was for acme/old-web, which it no longer names',
      ),
    });
  });

  it.each([
    ['names the entity and its repository', 'Acme/Web', 'enqueued'],
    ['names another repository', 'acme/old-web', 'unverified'],
  ])(
    'counts opshub.github.approvedBindings when it %s',
    async (_case, repository, outcome) => {
      const { server } = await start({
        entities: [component('web', located('file:/srv/catalog/web.yaml'))],
        worker: false,
        opshub: {
          github: {
            webhookSecret: SECRET,
            approvedBindings: [
              { entityRef: 'Component:default/Web', repository },
            ],
          },
        },
      });
      expect((await deliver(server, 1)).outcome).toBe(outcome);
      const bindings = await request(server)
        .get('/api/opshub/org/bindings')
        .set(asAlice);
      expect(bindings.body.items[0]).toMatchObject({
        entityRef: WEB,
        verifiedBy: outcome === 'enqueued' ? 'config' : null,
      });
    },
  );

  it.each([true, false])(
    'gives jobs only to the verified one of two entities naming one repository (requireVerifiedBinding %s)',
    async requireVerifiedBinding => {
      const { knex, server } = await start({
        entities: [
          component('web', located(IN_REPO)),
          component('intruder', located('file:/srv/catalog/intruder.yaml')),
        ],
        worker: false,
        opshub: { projects: { requireVerifiedBinding } },
      });

      expect(await deliver(server, 1)).toMatchObject({
        outcome: 'enqueued',
        jobIds: [expect.any(String)],
      });
      expect(await jobKeys(knex)).toEqual([`preview:${WEB}#1`]);
      const bindings = await request(server)
        .get('/api/opshub/org/bindings')
        .set(asAlice);
      expect(
        bindings.body.items.map(
          (b: { entityRef: string; verified: boolean }) => [
            b.entityRef,
            b.verified,
          ],
        ),
      ).toEqual([
        [INTRUDER, false],
        [WEB, true],
      ]);
    },
  );

  it('with requireVerifiedBinding false believes a sole claim, writes to GitHub for it, but not a shared unverified one', async () => {
    const { knex, github, server } = await start({
      entities: [component('web', located('file:/srv/catalog/web.yaml'))],
      opshub: { projects: { requireVerifiedBinding: false } },
    });
    expect((await deliver(server, 1)).outcome).toBe('enqueued');
    await waitFor(
      () =>
        writes(github).includes(
          `POST /repos/acme/web/statuses/${'1'.padStart(40, 'a')}`,
        ),
      { what: 'the commit status' },
    );
    const summary = await request(server)
      .get('/api/opshub/entities/component/default/web/summary')
      .set(asAlice);
    expect(summary.body.binding).toMatchObject({
      verified: true,
      verifiedBy: 'not-required',
      problem: null,
    });
    expect(await jobKeys(knex)).toContain(`preview:${WEB}#1`);

    // Two entities, neither verified: neither acts.
    const shared = await start({
      entities: [
        component('web', located('file:/srv/catalog/web.yaml')),
        component('intruder', located('file:/srv/catalog/intruder.yaml')),
      ],
      worker: false,
      opshub: { projects: { requireVerifiedBinding: false } },
    });
    expect(await deliver(shared.server, 1)).toMatchObject({
      outcome: 'unverified',
      jobIds: [],
    });
    const unverified = await request(shared.server)
      .get('/api/opshub/org/bindings?verified=false')
      .set(asAlice);
    expect(unverified.body.items).toEqual([
      expect.objectContaining({
        entityRef: INTRUDER,
        problem: expect.stringContaining('which other entities claim too'),
      }),
      expect.objectContaining({ entityRef: WEB }),
    ]);
  });

  it('verifies bindings in the project sync too', async () => {
    const { knex, server } = await start({
      entities: [
        component('web', located(IN_REPO)),
        component('intruder', located('file:/srv/catalog/intruder.yaml')),
      ],
      worker: false,
      // Without an initial delay the sync runs as the backend starts.
      opshub: {
        projectSync: {
          schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } },
        },
      },
    });
    await waitFor(
      async () => Number((await knex('projects').count({ n: '*' }))[0].n) === 2,
      { what: 'the project sync' },
    );
    expect(
      await knex('projects')
        .select('entity_ref', 'verified_by')
        .orderBy('entity_ref'),
    ).toEqual([
      { entity_ref: INTRUDER, verified_by: null },
      { entity_ref: WEB, verified_by: 'location' },
    ]);
    expect(await deliver(server, 1)).toMatchObject({ outcome: 'enqueued' });
    expect(await jobKeys(knex)).toEqual([`preview:${WEB}#1`]);
  });
});
