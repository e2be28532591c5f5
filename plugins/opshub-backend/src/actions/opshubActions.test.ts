import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DatabaseActivityLog } from '../activity/DatabaseActivityLog';
import {
  insertDeployEvents,
  succeeded,
} from '../analytics/metrics/__testUtils__/deployEvents';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { DatabaseDeliveryStore } from '../webhooks/DatabaseDeliveryStore';
import {
  asService,
  invokeAction,
  listActions,
  startActionsBackend,
} from '../__testUtils__/actionsBackend';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  recordingAuditor,
  type RecordedAuditEvent,
} from '../__testUtils__/recordingAuditor';
import { seedPreview } from '../__testUtils__/previews';
import { as, STOREFRONT } from '../__testUtils__/rbacBackend';
import type { PreviewState } from '../previews/PreviewStore';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const DEVELOPER = 'user:default/dev';
const ROOT = 'user:default/root';
/** Another org owner: each caller has a budget of 3 changes a minute here. */
const OPS = 'user:default/ops';
const KEEPER = 'user:default/keeper';
const SECRET_VALUE = 'postgres://app:s3cr3t-Pa55word@db.internal/app';

const ATTRIBUTES = {
  'opshub:list-previews': {
    readOnly: true,
    destructive: false,
    idempotent: true,
  },
  'opshub:get-preview': {
    readOnly: true,
    destructive: false,
    idempotent: true,
  },
  'opshub:redeploy-preview': {
    readOnly: false,
    destructive: false,
    idempotent: false,
  },
  'opshub:destroy-preview': {
    readOnly: false,
    destructive: true,
    idempotent: true,
  },
  'opshub:get-health': { readOnly: true, destructive: false, idempotent: true },
  'opshub:get-deploy-analytics': {
    readOnly: true,
    destructive: false,
    idempotent: true,
  },
  'opshub:list-env-var-names': {
    readOnly: true,
    destructive: false,
    idempotent: true,
  },
  'opshub:list-deliveries': {
    readOnly: true,
    destructive: false,
    idempotent: true,
  },
};

describe.each(databases.eachSupportedId())("OpsHub's actions on %s", id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startActionsBackend>>;
  let prNumber = 0;
  let events: RecordedAuditEvent[] = [];

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    await assignments.add({
      entityRef: STOREFRONT,
      subjectRef: DEVELOPER,
      role: 'developer',
      createdBy: 'test',
    });
    for (const owner of [ROOT, OPS, KEEPER]) {
      await assignments.add({
        entityRef: OPSHUB_INSTALLATION_REF,
        subjectRef: owner,
        role: 'owner',
        createdBy: 'test',
      });
    }
    const auditor = recordingAuditor();
    events = auditor.events;
    server = await startActionsBackend({
      knex,
      opshub: {
        rbac: {
          mutationsPerMinute: 3,
          servicePrincipals: [
            { subject: 'external:ci-bot', role: 'developer' },
          ],
        },
        encryption: { keys: [{ id: 'k1', secret: ENCRYPTION_KEY }] },
        // Jobs stay queued: the tests look at what an action queued.
        queue: { concurrency: 0 },
      },
      extra: [auditor.factory],
    });
  });

  const seed = (state: PreviewState) =>
    seedPreview(knex, { entityRef: STOREFRONT, prNumber: ++prNumber, state });

  it('lists its eight actions with honest attributes, descriptions and schemas', async () => {
    const res = await listActions(server, as(DEVELOPER));
    expect(res.status).toBe(200);
    const actions = res.body.actions.filter(
      (a: { pluginId: string }) => a.pluginId === 'opshub',
    );
    expect(
      Object.fromEntries(
        actions.map((a: { id: string; attributes: unknown }) => [
          a.id,
          a.attributes,
        ]),
      ),
    ).toEqual(ATTRIBUTES);
    for (const action of actions) {
      expect({
        id: action.id,
        title: action.title.length > 10,
        description: action.description.length > 200,
        input: action.schema.input.type,
        output: action.schema.output.type,
      }).toEqual({
        id: action.id,
        title: true,
        description: true,
        input: 'object',
        output: 'object',
      });
    }
    const listPreviews = actions.find(
      (a: { id: string }) => a.id === 'opshub:list-previews',
    );
    expect(listPreviews.schema.input).toMatchObject({
      required: ['entityRef'],
      properties: {
        entityRef: {
          type: 'string',
          description: expect.stringContaining('component:default/web'),
        },
      },
    });
    expect(listPreviews.description).toContain('awaiting-approval');
  });

  it('validates input against each schema before anything runs', async () => {
    const refused = async (name: string, input: Record<string, unknown>) => {
      const res = await invokeAction(server, name, input, as(ROOT));
      return { name, input, status: res.status, error: res.body.error?.name };
    };
    const cases: Array<[string, Record<string, unknown>]> = [
      ['list-previews', {}],
      ['list-previews', { entityRef: 'storefront' }],
      ['list-previews', { entityRef: 'not an entity ref/' }],
      ['list-previews', { entityRef: STOREFRONT, limit: 0 }],
      ['list-previews', { entityRef: STOREFRONT, limit: 201 }],
      ['get-preview', {}],
      ['get-preview', { previewId: 'abc' }],
      ['redeploy-preview', { previewId: '1; drop table previews' }],
      ['destroy-preview', { previewId: 42 }],
      ['get-health', { entityRef: 7 }],
      ['get-deploy-analytics', { entityRef: STOREFRONT, from: 'last week' }],
      [
        'get-deploy-analytics',
        { entityRef: STOREFRONT, environment: 'staging' },
      ],
      ['list-env-var-names', { entityRef: STOREFRONT, environment: 'PROD' }],
      ['list-deliveries', { outcome: 'lost' }],
      ['list-deliveries', { before: 'yesterday' }],
    ];
    for (const [name, input] of cases) {
      expect(await refused(name, input)).toEqual({
        name,
        input,
        status: 400,
        error: 'InputError',
      });
    }
    // A date that passes the schema but is no day, or a window backwards.
    for (const window of [
      { from: '2024-02-30' },
      { from: '2024-03-02', to: '2024-03-01' },
    ]) {
      expect(
        await refused('get-deploy-analytics', {
          entityRef: STOREFRONT,
          ...window,
        }),
      ).toMatchObject({ status: 400, error: 'InputError' });
    }
  });

  it('answers NotFound for an unknown entity or preview, and for a preview the caller may not read', async () => {
    const unknown = { entityRef: 'component:default/no-such-thing' };
    for (const name of [
      'list-previews',
      'get-health',
      'get-deploy-analytics',
      'list-env-var-names',
    ]) {
      const res = await invokeAction(server, name, unknown, as(ROOT));
      expect({ name, status: res.status, error: res.body.error }).toEqual({
        name,
        status: 404,
        error: expect.objectContaining({
          name: 'NotFoundError',
          message: 'No entity component:default/no-such-thing in the catalog',
        }),
      });
    }
    const previewId = await seed('ready');
    for (const name of ['get-preview', 'redeploy-preview', 'destroy-preview']) {
      for (const [caller, input] of [
        [ROOT, { previewId: '987654321' }],
        ['user:default/stranger', { previewId }],
      ] as const) {
        const res = await invokeAction(server, name, input, as(caller));
        expect({
          name,
          caller,
          status: res.status,
          error: res.body.error?.name,
        }).toEqual({
          name,
          caller,
          status: 404,
          error: 'NotFoundError',
        });
      }
    }
  });

  it('lists and reads previews as the routes show them', async () => {
    const previewId = await seed('failed');
    const listed = await invokeAction(
      server,
      'list-previews',
      { entityRef: 'Component:default/Storefront', limit: 1 },
      as(DEVELOPER),
    );
    expect(listed.status).toBe(200);
    const route = await request(server)
      .get(`/api/opshub/previews/${previewId}`)
      .set(as(DEVELOPER));
    expect(listed.body.output).toEqual({ items: [route.body] });
    const read = await invokeAction(
      server,
      'get-preview',
      { previewId },
      asService('external:ci-bot'),
    );
    expect(read.body).toEqual({ output: route.body });
  });

  it('redeploys and destroys a preview audited, with an activity line and a queued job, like the routes', async () => {
    const failed = await seed('failed');
    const ready = await seed('ready');
    events.length = 0;

    const redeployed = await invokeAction(
      server,
      'redeploy-preview',
      { previewId: failed },
      as(DEVELOPER),
    );
    expect(redeployed.status).toBe(200);
    expect(redeployed.body.output).toMatchObject({
      id: failed,
      state: 'queued',
    });
    const destroyed = await invokeAction(
      server,
      'destroy-preview',
      { previewId: ready },
      asService('external:ci-bot'),
    );
    expect(destroyed.status).toBe(200);

    const detailsOf = async (previewId: string) => {
      const row = await knex('previews').where({ id: previewId }).first();
      return {
        previewId,
        prNumber: Number(row.pr_number),
        headSha: row.head_sha,
      };
    };
    expect(events).toEqual([
      {
        eventId: 'preview-redeploy',
        meta: {
          entityRef: STOREFRONT,
          actorRef: DEVELOPER,
          ...(await detailsOf(failed)),
        },
        outcome: 'success',
        outcomeMeta: await detailsOf(failed),
      },
      {
        eventId: 'preview-destroy',
        meta: {
          entityRef: STOREFRONT,
          actorRef: 'external:ci-bot',
          ...(await detailsOf(ready)),
        },
        outcome: 'success',
        outcomeMeta: await detailsOf(ready),
      },
    ]);
    const activity = await new DatabaseActivityLog(knex).list(STOREFRONT, {
      limit: 2,
    });
    expect(
      activity.map(a => [a.actorRef, a.action, a.details.previewId]),
    ).toEqual([
      ['external:ci-bot', 'preview-destroy', ready],
      [DEVELOPER, 'preview-redeploy', failed],
    ]);
    const queued = await knex('jobs')
      .whereIn('key', [`build-preview:${failed}`, `destroy-preview:${ready}`])
      .select('key');
    expect(queued.map(j => j.key).sort()).toEqual(
      [`build-preview:${failed}`, `destroy-preview:${ready}`].sort(),
    );

    // A second destroy replaces the queued one: nothing more happens.
    const again = await invokeAction(
      server,
      'destroy-preview',
      { previewId: ready },
      asService('external:ci-bot'),
    );
    expect(again.status).toBe(200);
    const [{ n }] = await knex('jobs')
      .where({ key: `destroy-preview:${ready}` })
      .count({ n: '*' });
    expect(Number(n)).toBe(1);

    // A refused change is audited as failed and changes nothing.
    const refused = await invokeAction(
      server,
      'redeploy-preview',
      { previewId: failed },
      as(DEVELOPER),
    );
    expect(refused.status).toBe(409);
    expect(events.at(-1)).toMatchObject({
      eventId: 'preview-redeploy',
      outcome: 'fail',
    });
  });

  it('limits changes per caller like the routes, saying when to retry; reads are not counted', async () => {
    const caller = as('user:default/busy');
    await new DatabaseRoleAssignmentStore(knex).add({
      entityRef: STOREFRONT,
      subjectRef: 'user:default/busy',
      role: 'developer',
      createdBy: 'test',
    });
    const previewId = await seed('queued');
    for (let i = 0; i < 5; i++) {
      const read = await invokeAction(
        server,
        'get-preview',
        { previewId },
        caller,
      );
      expect(read.status).toBe(200);
    }
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await invokeAction(
        server,
        'redeploy-preview',
        { previewId },
        caller,
      );
      answers.push({ status: res.status, error: res.body.error });
    }
    // Three a minute: the queued preview refuses each change (409) until
    // the limit refuses the fourth before it is looked at.
    const conflict = {
      status: 409,
      error: expect.objectContaining({ name: 'ConflictError' }),
    };
    expect(answers).toEqual([
      conflict,
      conflict,
      conflict,
      {
        status: 429,
        error: expect.objectContaining({
          name: 'TooManyRequestsError',
          message: expect.stringMatching(/^Too many changes; retry in \d+ s$/),
        }),
      },
    ]);
    // The routes spend from the same budget.
    const route = await request(server)
      .post(`/api/opshub/previews/${previewId}/redeploy`)
      .set(caller);
    expect(route.status).toBe(429);
    // Another caller has a budget of their own.
    const other = await invokeAction(
      server,
      'redeploy-preview',
      { previewId },
      as(DEVELOPER),
    );
    expect(other.status).toBe(409);
  });

  it('lists variable names, environments and versions, never a value', async () => {
    for (const [environment, name, body] of [
      ['production', 'DATABASE_URL', { value: SECRET_VALUE }],
      [
        'production',
        'API_TOKEN',
        { value: 'tok_live_abcdef123456', sensitive: true },
      ],
      ['development', 'DATABASE_URL', { value: 'postgres://localhost/dev' }],
    ] as const) {
      const res = await request(server)
        .put(
          `/api/opshub/entities/component/default/storefront/envvars/${environment}/${name}`,
        )
        .set(as(KEEPER))
        .send(body);
      expect(res.status).toBe(201);
    }
    /** A first version written by the keeper, as the action lists it. */
    const written = (
      environment: string,
      name: string,
      sensitive: boolean,
    ) => ({
      environment,
      name,
      branch: null,
      sensitive,
      version: 1,
      updatedBy: KEEPER,
      updatedAt: 'at',
    });
    const all = await invokeAction(
      server,
      'list-env-var-names',
      { entityRef: STOREFRONT },
      as('user:default/dev'),
    );
    expect(all.status).toBe(200);
    expect(
      all.body.output.items
        .map((v: Record<string, unknown>) => ({ ...v, updatedAt: 'at' }))
        .sort((a: { environment: string; name: string }, b: typeof a) =>
          `${a.environment}/${a.name}`.localeCompare(
            `${b.environment}/${b.name}`,
          ),
        ),
    ).toEqual([
      written('development', 'DATABASE_URL', false),
      written('production', 'API_TOKEN', true),
      written('production', 'DATABASE_URL', false),
    ]);
    const text = JSON.stringify(all.body);
    for (const leaked of [
      SECRET_VALUE,
      'db.internal',
      '3456',
      'localhost',
      '•',
    ]) {
      expect(text).not.toContain(leaked);
    }
    const production = await invokeAction(
      server,
      'list-env-var-names',
      { entityRef: STOREFRONT, environment: 'production' },
      asService('external:ci-bot'),
    );
    expect(
      production.body.output.items.map((v: { name: string }) => v.name).sort(),
    ).toEqual(['API_TOKEN', 'DATABASE_URL']);
  });

  it("reads an entity's health without the checks' headers", async () => {
    const created = await request(server)
      .post('/api/opshub/entities/component/default/storefront/health/checks')
      .set(as(OPS))
      .send({
        name: 'api',
        url: 'https://api.storefront.example/healthz',
        enabled: false,
        headers: { 'X-Probe': 'opshub' },
      });
    expect(created.status).toBe(201);
    const res = await invokeAction(
      server,
      'get-health',
      { entityRef: STOREFRONT },
      as(DEVELOPER),
    );
    expect(res.status).toBe(200);
    expect(res.body.output).toEqual({
      state: 'unknown',
      checks: [
        expect.objectContaining({
          id: created.body.id,
          name: 'api',
          url: 'https://api.storefront.example/healthz',
          source: 'api',
          enabled: false,
          state: 'unknown',
          uptime: { day: null, week: null, month: null },
          openIncident: null,
        }),
      ],
      previews: [],
    });
    expect(res.body.output.checks[0]).not.toHaveProperty('headers');
  });

  it('answers deploy analytics with DORA as the entity analytics route does', async () => {
    const today = new Date().toISOString().slice(0, 10);
    await insertDeployEvents(knex, [
      succeeded(`${today}T00:00:00Z`, 60_000, 1000, { entityRef: STOREFRONT }),
    ]);
    const query = { from: today, to: today, environment: 'production' };
    const res = await invokeAction(
      server,
      'get-deploy-analytics',
      { entityRef: STOREFRONT, ...query },
      as(DEVELOPER),
    );
    expect(res.status).toBe(200);
    const route = await request(server)
      .get('/api/opshub/entities/component/default/storefront/analytics')
      .query(query)
      .set(as(DEVELOPER));
    expect(route.status).toBe(200);
    expect(res.body.output).toEqual(route.body);
    expect(res.body.output).toMatchObject({
      deploys: { total: 1, succeeded: 1 },
      dora: { deploymentFrequency: { deploys: 1 } },
    });
    expect(res.body.output.recent).toHaveLength(1);
  });

  it('lists webhook deliveries to an administrator, as the route does', async () => {
    const store = new DatabaseDeliveryStore(knex);
    const jobs = new DatabaseJobStore(knex);
    for (const [deliveryId, outcome, minutesAgo] of [
      ['d-1', 'unmatched', 10],
      ['d-2', 'enqueued', 5],
    ] as const) {
      await jobs.enqueueGuarded(
        store.insertStatement([
          {
            deliveryId,
            event: 'pull_request',
            action: 'opened',
            repository: 'acme/storefront',
            receivedAt: new Date(Date.now() - minutesAgo * 60_000),
            outcome,
            jobCount: outcome === 'enqueued' ? 1 : 0,
            redeliveries: 0,
            payload: '{"secret":"payload"}',
          },
        ]),
        [],
      );
    }
    const res = await invokeAction(server, 'list-deliveries', {}, as(ROOT));
    expect(res.status).toBe(200);
    const route = await request(server)
      .get('/api/opshub/webhooks/deliveries')
      .set(as(ROOT));
    expect(res.body.output).toEqual(route.body);
    expect(
      res.body.output.items.map((d: { deliveryId: string }) => d.deliveryId),
    ).toEqual(['d-2', 'd-1']);
    expect(JSON.stringify(res.body)).not.toContain('payload');
    const unmatched = await invokeAction(
      server,
      'list-deliveries',
      { outcome: 'unmatched', before: new Date().toISOString() },
      as(ROOT),
    );
    expect(
      unmatched.body.output.items.map(
        (d: { deliveryId: string }) => d.deliveryId,
      ),
    ).toEqual(['d-1']);
  });
});
