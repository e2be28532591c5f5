import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { routeTableRouter, UNAUTHENTICATED_ROUTES } from '../router';
import { DatabaseDeliveryStore } from '../webhooks/DatabaseDeliveryStore';
import { routeTable, samplePath } from '../__testUtils__/routeTable';
import type { PreviewState } from '../previews/PreviewStore';
import { seedPreview } from '../__testUtils__/previews';
import { DatabaseActivityLog } from './DatabaseActivityLog';
import { createTestDatabases } from '../__testUtils__/databases';
import { recordingAuditor } from '../__testUtils__/recordingAuditor';
import { as, startRbacBackend, STOREFRONT } from '../__testUtils__/rbacBackend';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ASSIGNMENTS =
  '/api/opshub/entities/component/default/storefront/assignments';

describe.each(databases.eachSupportedId())('the audit trail on %s', id => {
  async function setup(mutationsPerMinute = 60) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    await assignments.add({
      entityRef: STOREFRONT,
      subjectRef: 'user:default/alice',
      role: 'owner',
      createdBy: 'test',
    });
    await assignments.add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'user:default/root',
      role: 'owner',
      createdBy: 'test',
    });
    const { events, factory: auditor } = recordingAuditor();
    const server = await startRbacBackend({
      knex,
      opshub: {
        rbac: { mutationsPerMinute },
        encryption: { keys: [{ id: 'k1', secret: ENCRYPTION_KEY }] },
      },
      extra: [auditor],
    });
    return { knex, server, events };
  }

  it('audits every mutation and writes its activity row', async () => {
    const { knex, server, events } = await setup();

    const added = await request(server)
      .post(ASSIGNMENTS)
      .set(as('user:default/alice'))
      .send({ subjectRef: 'User:default/Bob', role: 'developer' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      entityRef: STOREFRONT,
      subjectRef: 'user:default/bob',
      role: 'developer',
      createdBy: 'user:default/alice',
    });

    const again = await request(server)
      .post(ASSIGNMENTS)
      .set(as('user:default/alice'))
      .send({ subjectRef: 'user:default/bob', role: 'viewer' });
    expect(again.status).toBe(409);

    const removed = await request(server)
      .delete(`${ASSIGNMENTS}/${added.body.id}`)
      .set(as('user:default/alice'));
    expect(removed.status).toBe(200);

    // Due in an hour: the backend's worker must not claim it before the
    // cancel (it did once in CI, and the cancel answered 409).
    const job = await new DatabaseJobStore(knex).enqueue(knex, {
      type: 'create-preview',
      payload: {},
      runAt: new Date(Date.now() + 3_600_000),
    });
    const cancelled = await request(server)
      .post(`/api/opshub/queue/jobs/${job}/cancel`)
      .set(as('user:default/root'));
    expect(cancelled.status).toBe(200);

    expect(events).toEqual([
      {
        eventId: 'role-assignment-add',
        meta: {
          entityRef: STOREFRONT,
          subjectRef: 'user:default/bob',
          role: 'developer',
        },
        outcome: 'success',
        outcomeMeta: { subjectRef: 'user:default/bob', role: 'developer' },
      },
      {
        eventId: 'role-assignment-add',
        meta: {
          entityRef: STOREFRONT,
          subjectRef: 'user:default/bob',
          role: 'viewer',
        },
        outcome: 'fail',
      },
      {
        eventId: 'role-assignment-remove',
        meta: { entityRef: STOREFRONT, assignmentId: added.body.id },
        outcome: 'success',
        outcomeMeta: {
          assignmentId: added.body.id,
          subjectRef: 'user:default/bob',
          role: 'developer',
        },
      },
      {
        eventId: 'job-cancel',
        meta: { entityRef: OPSHUB_INSTALLATION_REF, jobId: job },
        outcome: 'success',
        outcomeMeta: { jobId: job, jobType: 'create-preview' },
      },
    ]);

    const project = await request(server)
      .get('/api/opshub/entities/component/default/storefront/activity')
      .set(as('user:default/alice'));
    expect(project.status).toBe(200);
    expect(
      project.body.items.map((a: Record<string, unknown>) => [
        a.actorRef,
        a.action,
        a.details,
      ]),
    ).toEqual([
      [
        'user:default/alice',
        'role-assignment-remove',
        {
          assignmentId: added.body.id,
          subjectRef: 'user:default/bob',
          role: 'developer',
        },
      ],
      [
        'user:default/alice',
        'role-assignment-add',
        { subjectRef: 'user:default/bob', role: 'developer' },
      ],
    ]);
    const org = await request(server)
      .get('/api/opshub/org/activity')
      .set(as('user:default/root'));
    expect(org.body.items).toEqual([
      expect.objectContaining({
        actorRef: 'user:default/root',
        action: 'job-cancel',
        createdAt: expect.stringMatching(/^\d{4}-/),
      }),
    ]);
  });

  it('audits every mutating route, each with an activity row', async () => {
    const { knex, server, events } = await setup();
    const assignments = new DatabaseRoleAssignmentStore(knex);
    const jobs = new DatabaseJobStore(knex);
    const deliveries = new DatabaseDeliveryStore(knex);
    const assignment = (entityRef: string) =>
      assignments
        .add({
          entityRef,
          subjectRef: 'user:default/temp',
          role: 'viewer',
          createdBy: 'test',
        })
        .then(a => a.id);

    /**
     * How to make each mutating route succeed: its path parameters, its body
     * and where its activity row goes. A mutating route missing here fails.
     */
    /** A variable of the storefront's development environment. */
    const envVar = async (varName: string) => {
      const res = await request(server)
        .put(
          `/api/opshub/entities/component/default/storefront/envvars/development/${varName}`,
        )
        .set(as('user:default/root'))
        .send({ value: `value of ${varName}` });
      expect(res.status).toBe(201);
      return { environment: 'development', varName };
    };
    /** A health check of the storefront, made through the API. */
    const healthCheck = async (name: string) => {
      const res = await request(server)
        .post('/api/opshub/entities/component/default/storefront/health/checks')
        .set(as('user:default/root'))
        .send({ name, url: `https://${name}.example/healthz` });
      expect(res.status).toBe(201);
      return { checkId: res.body.id as string };
    };
    /** A weekly maintenance window. */
    const SUNDAY_NIGHTS = {
      kind: 'weekly',
      days: ['sun'],
      startTime: '01:00',
      durationMinutes: 180,
      timeZone: 'Europe/Berlin',
    };
    /** A maintenance window of a health check, made through the API. */
    const maintenanceWindow = async (params: { checkId: string }) => {
      const res = await request(server)
        .post(
          `/api/opshub/entities/component/default/storefront/health/checks/${params.checkId}/maintenance`,
        )
        .set(as('user:default/root'))
        .send(SUNDAY_NIGHTS);
      expect(res.status).toBe(201);
      return { ...params, windowId: res.body.id as string };
    };
    let prNumber = 0;
    const preview = (state: PreviewState) =>
      seedPreview(knex, { entityRef: STOREFRONT, prNumber: ++prNumber, state });
    const HOW: Record<
      string,
      () => Promise<{
        params: Record<string, string>;
        body?: object;
        /** A body other than JSON (a `.env` import). */
        text?: string;
        scope: string;
        status: number;
      }>
    > = {
      'POST /entities/:kind/:namespace/:name/assignments': async () => ({
        params: {},
        body: { subjectRef: 'group:default/web', role: 'developer' },
        scope: STOREFRONT,
        status: 201,
      }),
      'DELETE /entities/:kind/:namespace/:name/assignments/:id': async () => ({
        params: { id: await assignment(STOREFRONT) },
        scope: STOREFRONT,
        status: 200,
      }),
      'POST /org/assignments': async () => ({
        params: {},
        body: { subjectRef: 'group:default/platform', role: 'owner' },
        scope: OPSHUB_INSTALLATION_REF,
        status: 201,
      }),
      'DELETE /org/assignments/:id': async () => ({
        params: { id: await assignment(OPSHUB_INSTALLATION_REF) },
        scope: OPSHUB_INSTALLATION_REF,
        status: 200,
      }),
      'POST /webhooks/deliveries/:deliveryId/redeliver': async () => {
        const insert = deliveries.insertStatement([
          {
            deliveryId: 'stored-1',
            event: 'ping',
            action: null,
            repository: null,
            receivedAt: new Date(),
            outcome: 'ignored',
            jobCount: 0,
            redeliveries: 0,
            payload: '{"zen":"Keep it logically awesome."}',
          },
        ]);
        await knex.raw(insert.sql, insert.bindings as any[]);
        return {
          params: { deliveryId: 'stored-1' },
          scope: OPSHUB_INSTALLATION_REF,
          status: 200,
        };
      },
      'POST /queue/jobs/:id/retry': async () => {
        const jobId = await jobs.enqueue(knex, { type: 'a', payload: {} });
        await knex('jobs')
          .where({ id: jobId })
          .update({ state: 'dead', finished_at: new Date() });
        return {
          params: { id: jobId },
          scope: OPSHUB_INSTALLATION_REF,
          status: 200,
        };
      },
      'PUT /entities/:kind/:namespace/:name/envvars/:environment/:varName':
        async () => ({
          params: { environment: 'development', varName: 'NEW_VAR' },
          body: { value: 'a value to write' },
          scope: STOREFRONT,
          status: 201,
        }),
      'DELETE /entities/:kind/:namespace/:name/envvars/:environment/:varName':
        async () => ({
          params: await envVar('GONE_VAR'),
          scope: STOREFRONT,
          status: 200,
        }),
      'POST /entities/:kind/:namespace/:name/envvars/:environment/:varName/reveal':
        async () => ({
          params: await envVar('SEEN_VAR'),
          scope: STOREFRONT,
          status: 200,
        }),
      'POST /entities/:kind/:namespace/:name/envvars/:environment/:varName/versions/:version/restore':
        async () => ({
          params: { ...(await envVar('OLD_VAR')), version: '1' },
          scope: STOREFRONT,
          status: 200,
        }),
      'POST /entities/:kind/:namespace/:name/envvars/:environment/import':
        async () => ({
          params: { environment: 'development' },
          text: 'IMPORTED_VAR=from a file\n',
          scope: STOREFRONT,
          status: 200,
        }),
      'POST /queue/jobs/:id/cancel': async () => ({
        params: { id: await jobs.enqueue(knex, { type: 'a', payload: {} }) },
        scope: OPSHUB_INSTALLATION_REF,
        status: 200,
      }),
      'PUT /org/bindings/:kind/:namespace/:name': async () => ({
        params: {},
        body: { repository: 'acme/storefront' },
        scope: OPSHUB_INSTALLATION_REF,
        status: 200,
      }),
      'DELETE /org/bindings/:kind/:namespace/:name': async () => ({
        params: {},
        scope: OPSHUB_INSTALLATION_REF,
        status: 200,
      }),
      'POST /previews/:previewId/redeploy': async () => ({
        params: { previewId: await preview('failed') },
        scope: STOREFRONT,
        status: 202,
      }),
      'POST /previews/:previewId/approve': async () => ({
        params: { previewId: await preview('awaiting-approval') },
        scope: STOREFRONT,
        status: 202,
      }),
      'DELETE /previews/:previewId': async () => ({
        params: { previewId: await preview('ready') },
        scope: STOREFRONT,
        status: 202,
      }),
      'POST /entities/:kind/:namespace/:name/health/checks': async () => ({
        params: {},
        body: { name: 'walked', url: 'https://walked.example/healthz' },
        scope: STOREFRONT,
        status: 201,
      }),
      'PATCH /entities/:kind/:namespace/:name/health/checks/:checkId':
        async () => ({
          params: await healthCheck('patched'),
          body: { intervalMs: 120_000 },
          scope: STOREFRONT,
          status: 200,
        }),
      'DELETE /entities/:kind/:namespace/:name/health/checks/:checkId':
        async () => ({
          params: await healthCheck('deleted'),
          scope: STOREFRONT,
          status: 204,
        }),
      'POST /entities/:kind/:namespace/:name/health/checks/:checkId/maintenance':
        async () => ({
          params: await healthCheck('planned'),
          body: SUNDAY_NIGHTS,
          scope: STOREFRONT,
          status: 201,
        }),
      'DELETE /entities/:kind/:namespace/:name/health/checks/:checkId/maintenance/:windowId':
        async () => ({
          params: await maintenanceWindow(await healthCheck('unplanned')),
          scope: STOREFRONT,
          status: 204,
        }),
      'POST /org/encryption/rotate': async () => ({
        params: {},
        scope: OPSHUB_INSTALLATION_REF,
        status: 202,
      }),
    };

    const mutating = routeTable(routeTableRouter()).filter(
      r =>
        r.method !== 'GET' &&
        !(UNAUTHENTICATED_ROUTES as readonly string[]).includes(r.path),
    );
    expect(
      mutating.map(r => `${r.method} ${r.path}`).filter(key => !HOW[key]),
    ).toEqual([]);

    for (const route of mutating) {
      const key = `${route.method} ${route.path}`;
      const { params, body, text, scope, status } = await HOW[key]();
      const path = samplePath(route.path, {
        kind: 'component',
        namespace: 'default',
        name: 'storefront',
        ...params,
      });
      const before = events.length;
      const agent = request(server);
      const verb = route.method.toLowerCase() as
        | 'post'
        | 'put'
        | 'patch'
        | 'delete';
      const req = agent[verb](`/api/opshub${path}`);
      req.set(as('user:default/root'));
      const res = await (text === undefined
        ? req.send(body)
        : req.type('text/plain').send(text));
      expect({ key, status: res.status }).toEqual({ key, status });
      expect(events.slice(before)).toEqual([
        expect.objectContaining({ outcome: 'success' }),
      ]);
      const [latest] = await new DatabaseActivityLog(knex).list(scope, {
        limit: 1,
      });
      expect({ key, actor: latest?.actorRef, action: latest?.action }).toEqual({
        key,
        actor: 'user:default/root',
        action: events[before].eventId,
      });
    }
  });

  it('limits mutations per user with 429 and Retry-After', async () => {
    const { server } = await setup(3);
    const post = (user: string, subject: string) =>
      request(server)
        .post(ASSIGNMENTS)
        .set(as(user))
        .send({ subjectRef: subject, role: 'viewer' });

    for (let i = 0; i < 3; i++) {
      expect(
        (await post('user:default/alice', `user:default/u${i}`)).status,
      ).toBe(201);
    }
    const limited = await post('user:default/alice', 'user:default/u3');
    expect(limited.status).toBe(429);
    // Three a minute: the next one is 20 s away.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(limited.body.error.name).toBe('TooManyRequestsError');

    // Reads are not limited, nor are other users.
    const read = await request(server)
      .get(ASSIGNMENTS)
      .set(as('user:default/alice'));
    expect(read.status).toBe(200);
    expect(read.body.items).toHaveLength(4);
    expect((await post('user:default/root', 'user:default/u3')).status).toBe(
      201,
    );
  });
});
