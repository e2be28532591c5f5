import { mockServices } from '@backstage/backend-test-utils';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { as, startRbacBackend, STOREFRONT } from '../__testUtils__/rbacBackend';

jest.setTimeout(120_000);

const databases = createTestDatabases();
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
    const events: Array<{
      eventId: string;
      meta: unknown;
      outcome?: 'success' | 'fail';
      outcomeMeta?: unknown;
    }> = [];
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async options => {
        const event: (typeof events)[number] = {
          eventId: options.eventId,
          meta: options.meta,
        };
        events.push(event);
        return {
          success: async (o?: { meta?: unknown }) => {
            event.outcome = 'success';
            event.outcomeMeta = o?.meta;
          },
          fail: async () => {
            event.outcome = 'fail';
          },
        };
      }),
    });
    const server = await startRbacBackend({
      knex,
      opshub: { rbac: { mutationsPerMinute } },
      extra: [auditor.factory],
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

    const job = await new DatabaseJobStore(knex).enqueue(knex, {
      type: 'create-preview',
      payload: {},
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
