import { OPSHUB_ROLES } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  as,
  asService,
  assignEachRole,
  BILLING,
  startRbacBackend,
  STOREFRONT,
} from '../__testUtils__/rbacBackend';
import {
  expectAllowed,
  guardedRoutes,
  LIST_FIELDS,
  MATRIX_GROUPS,
  mountedRoutes,
  REQUIRED,
  refused,
  SAMPLES,
  send,
  SERVICE_ROLES,
  WRITTEN_BY_ROUTES,
} from '../__testUtils__/routeRequirements';
import { waitFor } from '../__testUtils__/waitFor';
import { UNAUTHENTICATED_ROUTES } from '../router';
import { seedPreview } from '../__testUtils__/previews';

jest.setTimeout(180_000);

/**
 * What a caller with no role gets: a list answers with nothing; a preview is
 * not found, as an unknown id; everything else refuses, naming the
 * permission and nothing of the project.
 */
function expectRefusedAsStranger(
  route: { key: string },
  res: { status: number; body: any },
  caller: string,
) {
  const required = REQUIRED[route.key];
  const isList = required === 'list';
  const hidden = !isList && required.hidden === true;
  let expectedStatus = 403;
  if (isList) expectedStatus = 200;
  else if (hidden) expectedStatus = 404;
  expect({
    route: route.key,
    caller,
    status: res.status,
    answer: isList
      ? res.body[LIST_FIELDS[route.key] ?? 'items']
      : {
          error: res.body.error?.name,
          namesProject: /storefront/i.test(String(res.body.error?.message)),
        },
  }).toEqual({
    route: route.key,
    caller,
    status: expectedStatus,
    answer: isList
      ? []
      : {
          error: hidden ? 'NotFoundError' : 'NotAllowedError',
          namesProject: false,
        },
  });
}

const guarded = guardedRoutes();

const databases = createTestDatabases();

describe('the route table', () => {
  it('has an expectation for every route, and the open ones are exactly the two', () => {
    const all = mountedRoutes();
    expect(guarded.filter(r => !REQUIRED[r.key]).map(r => r.key)).toEqual([]);
    expect(
      all
        .filter(r =>
          (UNAUTHENTICATED_ROUTES as readonly string[]).includes(r.pattern),
        )
        .map(r => r.key)
        .sort(),
    ).toEqual(['GET /health', 'POST /webhooks/github']);
  });
});

describe.each(databases.eachSupportedId())('authorization on %s', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    const previewId = await seedPreview(knex, {
      entityRef: STOREFRONT,
      prNumber: 1,
      state: 'awaiting-approval',
    });
    if (previewId !== SAMPLES.previewId) {
      throw new Error(`The seeded preview is ${previewId}, not the sample`);
    }
    await assignEachRole(knex);
  });

  // A copy: one test adds a user.
  const groups = { ...MATRIX_GROUPS };

  it('refuses every guarded route without a token (401) and to a user with no role (403, or 404 for a preview)', async () => {
    const server = await startRbacBackend({ knex, groups });
    // Wait for the project sync, so /projects would have rows to leak.
    await waitFor(
      async () =>
        (
          await request(server)
            .get('/api/opshub/projects')
            .set(as('user:default/org-owner'))
        ).body.items?.length === 2,
      { what: 'the project sync' },
    );

    for (const route of guarded) {
      const anonymous = await send(server, route, {});
      expect({ route: route.key, status: anonymous.status }).toEqual({
        route: route.key,
        status: 401,
      });

      const stranger = await send(server, route, as('user:default/nobody'));
      expectRefusedAsStranger(route, stranger, 'user:default/nobody');
    }
  });

  it('refuses every guarded route to a service principal without a role, which Backstage alone would allow, and writes nothing', async () => {
    const server = await startRbacBackend({
      knex,
      groups,
      opshub: SERVICE_ROLES,
    });
    // Wait for the project sync, so lists would have rows to leak.
    await waitFor(
      async () =>
        (
          await request(server)
            .get('/api/opshub/projects')
            .set(asService('external:svc-viewer'))
        ).body.items?.length === 2,
      { what: 'the project sync' },
    );
    const tables = () =>
      Promise.all(WRITTEN_BY_ROUTES.map(table => knex(table).select()));
    const before = await tables();

    for (const subject of ['external:unlisted', 'plugin:mcp-actions']) {
      for (const route of guarded) {
        const res = await send(server, route, asService(subject));
        expectRefusedAsStranger(route, res, subject);
      }
    }
    expect(await tables()).toEqual(before);
  });

  it.each(OPSHUB_ROLES)(
    'grants a service principal configured as %s exactly that role, on the project and the installation',
    async role => {
      const server = await startRbacBackend({
        knex,
        groups,
        opshub: SERVICE_ROLES,
      });
      for (const route of guarded) {
        const res = await send(
          server,
          route,
          asService(`external:svc-${role}`),
        );
        const allowed = expectAllowed(REQUIRED[route.key], 'org', role);
        expect({
          route: route.key,
          role,
          denied: refused(route, res.status),
        }).toEqual({ route: route.key, role, denied: !allowed });
      }
    },
  );

  it("records a service's changes under its subject, and tells it its role", async () => {
    const server = await startRbacBackend({
      knex,
      groups,
      opshub: SERVICE_ROLES,
    });
    const base = '/api/opshub/entities/component/default/storefront';
    const added = await request(server)
      .post(`${base}/assignments`)
      .set(asService('external:svc-owner'))
      .send({ subjectRef: 'user:default/from-ci', role: 'developer' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      subjectRef: 'user:default/from-ci',
      createdBy: 'external:svc-owner',
    });

    const activity = await request(server)
      .get(`${base}/activity`)
      .set(asService('external:svc-viewer'));
    expect(activity.status).toBe(200);
    expect(
      activity.body.items.find(
        (item: { details: { subjectRef?: string } }) =>
          item.details.subjectRef === 'user:default/from-ci',
      ),
    ).toMatchObject({
      action: 'role-assignment-add',
      actorRef: 'external:svc-owner',
    });

    const role = await request(server)
      .get(`${base}/role`)
      .set(asService('external:svc-developer'));
    expect(role.body).toMatchObject({
      entityRef: STOREFRONT,
      role: 'developer',
      permissions: {
        'opshub.preview.manage': true,
        'opshub.envvar.reveal': false,
        'opshub.admin': false,
      },
    });
  });

  it('lists every project to a service with a role, and none to one without', async () => {
    const server = await startRbacBackend({
      knex,
      groups,
      opshub: SERVICE_ROLES,
    });
    const list = async (subject: string) => {
      const res = await request(server)
        .get('/api/opshub/projects')
        .set(asService(subject));
      expect(res.status).toBe(200);
      return res.body.items.map((p: { entityRef: string }) => p.entityRef);
    };
    await waitFor(
      async () => (await list('external:svc-viewer')).length === 2,
      { what: 'the project sync' },
    );
    expect(await list('external:svc-developer')).toEqual([BILLING, STOREFRONT]);
    expect(await list('external:unlisted')).toEqual([]);
    const overview = await request(server)
      .get('/api/opshub/analytics/overview')
      .set(asService('external:svc-viewer'));
    expect(
      overview.body.items.map((i: { entityRef: string }) => i.entityRef),
    ).toEqual([BILLING, STOREFRONT]);
  });

  it('grants each role what the table says, from an org or project assignment and through a group', async () => {
    const server = await startRbacBackend({ knex, groups });
    for (const source of ['org', 'project', 'group'] as const) {
      for (const role of OPSHUB_ROLES) {
        const user =
          source === 'group'
            ? `user:default/member-${role}`
            : `user:default/${source}-${role}`;
        for (const route of guarded) {
          const res = await send(server, route, as(user));
          const allowed = expectAllowed(REQUIRED[route.key], source, role);
          expect({
            route: route.key,
            source,
            role,
            denied: refused(route, res.status),
          }).toEqual({ route: route.key, source, role, denied: !allowed });
        }
      }
    }
  });

  it.each(OPSHUB_ROLES)(
    'grants members of the catalog owner the implicit role (%s)',
    async role => {
      const server = await startRbacBackend({
        knex,
        groups,
        opshub: { rbac: { implicitOwnerRole: role } },
      });
      for (const route of guarded) {
        const res = await send(server, route, as('user:default/web-dev'));
        const allowed = expectAllowed(REQUIRED[route.key], 'implicit', role);
        expect({
          route: route.key,
          denied: refused(route, res.status),
        }).toEqual({ route: route.key, denied: !allowed });
      }
    },
  );

  it('tells each user their own effective role and permissions on a project', async () => {
    const server = await startRbacBackend({ knex, groups });
    const standing = async (user: string) =>
      (
        await request(server)
          .get('/api/opshub/entities/component/default/storefront/role')
          .set(as(user))
      ).body;

    // Through a group assignment: developer.
    expect(await standing('user:default/member-developer')).toMatchObject({
      entityRef: STOREFRONT,
      role: 'developer',
      permissions: {
        'opshub.preview.manage': true,
        'opshub.envvar.reveal': false,
        'opshub.role.manage': false,
        'opshub.admin': false,
      },
    });
    // The highest of an org-level viewer and nothing else: viewer.
    expect((await standing('user:default/org-viewer')).role).toBe('viewer');
    // Member of the catalog owner: the implicit maintainer.
    expect(await standing('user:default/web-dev')).toMatchObject({
      role: 'maintainer',
      permissions: {
        'opshub.envvar.reveal': true,
        'opshub.role.manage': false,
      },
    });
    // An org owner also administers the installation.
    expect(await standing('user:default/org-owner')).toMatchObject({
      role: 'owner',
      permissions: { 'opshub.role.manage': true, 'opshub.admin': true },
    });
  });

  it('turns the implicit role off', async () => {
    const server = await startRbacBackend({
      knex,
      groups,
      opshub: { rbac: { implicitOwnerRole: false } },
    });
    const res = await request(server)
      .get('/api/opshub/entities/component/default/storefront/summary')
      .set(as('user:default/web-dev'));
    expect(res.status).toBe(403);
  });

  it('shows in the analytics overview only the entities the caller may read', async () => {
    const server = await startRbacBackend({ knex, groups });
    const overview = async (user: string) => {
      const res = await request(server)
        .get('/api/opshub/analytics/overview')
        .set(as(user));
      expect(res.status).toBe(200);
      return res.body.items.map((i: { entityRef: string }) => i.entityRef);
    };
    await waitFor(
      async () => (await overview('user:default/org-viewer')).length === 2,
      { what: 'the project sync' },
    );
    // Without deploys, by entity ref.
    expect(await overview('user:default/org-viewer')).toEqual([
      BILLING,
      STOREFRONT,
    ]);
    expect(await overview('user:default/project-viewer')).toEqual([STOREFRONT]);
    expect(await overview('user:default/member-viewer')).toEqual([STOREFRONT]);
    expect(await overview('user:default/billing-dev')).toEqual([BILLING]);
    expect(await overview('user:default/nobody')).toEqual([]);
  });

  it("counts in a group's analytics only the entities the caller may read", async () => {
    const server = await startRbacBackend({ knex, groups });
    const entities = async (user: string, group: string) => {
      const res = await request(server)
        .get(`/api/opshub/analytics/groups/default/${group}`)
        .set(as(user));
      expect(res.status).toBe(200);
      return res.body.entities;
    };
    await waitFor(
      async () => (await entities('user:default/org-viewer', 'web')).length,
      { what: 'the project sync' },
    );
    expect(await entities('user:default/org-viewer', 'web')).toEqual([
      STOREFRONT,
    ]);
    expect(await entities('user:default/org-viewer', 'billing')).toEqual([
      BILLING,
    ]);
    expect(await entities('user:default/project-viewer', 'web')).toEqual([
      STOREFRONT,
    ]);
    expect(await entities('user:default/member-viewer', 'web')).toEqual([
      STOREFRONT,
    ]);
    expect(await entities('user:default/billing-dev', 'billing')).toEqual([
      BILLING,
    ]);
    expect(await entities('user:default/billing-dev', 'web')).toEqual([]);
    expect(await entities('user:default/nobody', 'web')).toEqual([]);
  });

  it('lists only the projects the caller may read', async () => {
    const server = await startRbacBackend({
      knex,
      groups,
      opshub: { rbac: { orgOwners: ['group:default/platform'] } },
    });
    const list = async (user: string) => {
      const res = await request(server)
        .get('/api/opshub/projects')
        .set(as(user));
      expect(res.status).toBe(200);
      return res.body.items.map((p: { entityRef: string }) => p.entityRef);
    };
    await waitFor(
      async () => (await list('user:default/org-viewer')).length === 2,
      { what: 'the project sync' },
    );
    expect(await list('user:default/org-viewer')).toEqual([
      BILLING,
      STOREFRONT,
    ]);
    expect(await list('user:default/project-viewer')).toEqual([STOREFRONT]);
    expect(await list('user:default/member-developer')).toEqual([STOREFRONT]);
    expect(await list('user:default/web-dev')).toEqual([STOREFRONT]);
    expect(await list('user:default/billing-dev')).toEqual([BILLING]);
    expect(await list('user:default/nobody')).toEqual([]);

    // Config org owners hold every role everywhere.
    groups['user:default/admin'] = ['group:default/platform'];
    expect(await list('user:default/admin')).toEqual([BILLING, STOREFRONT]);
    const queue = await request(server)
      .get('/api/opshub/queue/stats')
      .set(as('user:default/admin'));
    expect(queue.status).toBe(200);
  });
});
