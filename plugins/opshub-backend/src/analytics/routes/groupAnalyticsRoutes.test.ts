import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../../database/migrations';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseRoleAssignmentStore } from '../../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../../__testUtils__/databases';
import { groupAnalyticsRoutes } from './groupAnalyticsRoutes';
import {
  analyticsTestApp,
  as,
  productionDeploys,
  TEST_DORA_OPTIONS,
} from './__testUtils__/analyticsTestApp';
import { policyAuthorizer } from './__testUtils__/policyAuthorizer';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ref = (name: string) => `component:default/${name}`;
/** Group web owns three tracked projects (Checkout in the catalog's case). */
const PROJECTS = [
  { name: 'storefront', owner: 'group:default/web' },
  { name: 'Checkout', owner: 'group:default/web' },
  { name: 'payments', owner: 'group:default/web' },
  { name: 'billing', owner: 'group:default/billing' },
  { name: 'orphan' },
];
/** The week of Monday 2026-11-16. */
const WEEK = '?from=2026-11-16&to=2026-11-22';

describe.each(databases.eachSupportedId())(
  'the group analytics route on %s',
  id => {
    let knex: Knex;
    let server: ReturnType<typeof analyticsTestApp>;

    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      await new DatabaseProjectStore(knex).replaceAll(
        PROJECTS.map(p => ({
          entityRef: ref(p.name),
          repoSlug: `acme/${p.name.toLowerCase()}`,
          ownerRef: p.owner,
        })),
      );
      // project-viewer may read one of web's projects: storefront.
      await new DatabaseRoleAssignmentStore(knex).add({
        entityRef: ref('storefront'),
        subjectRef: 'user:default/project-viewer',
        role: 'viewer',
        createdBy: 'test',
      });
      // storefront deploys on Monday to Wednesday, Checkout on Friday,
      // billing (another group's) on Thursday; payments never.
      await productionDeploys(knex, ref('storefront'), [
        '2026-11-16T10:00:00.000Z',
        '2026-11-17T10:00:00.000Z',
        '2026-11-18T10:00:00.000Z',
      ]);
      await productionDeploys(knex, ref('Checkout'), [
        '2026-11-20T10:00:00.000Z',
      ]);
      await productionDeploys(knex, ref('billing'), [
        '2026-11-19T10:00:00.000Z',
      ]);

      const { authorizer, access } = policyAuthorizer({
        knex,
        entities: [],
        groups: { 'user:default/admin': ['group:default/platform'] },
        orgOwners: ['group:default/platform'],
      });
      server = analyticsTestApp(
        groupAnalyticsRoutes({
          authorizer,
          knex,
          access,
          dora: TEST_DORA_OPTIONS,
          now: () => NOW,
        }),
      );
    });

    const group = (user: string, path: string, query = WEEK) =>
      request(server).get(`/analytics/groups/${path}${query}`).set(as(user));
    const frequency = (dora: {
      deploymentFrequency: { medianDeployDaysPerWeek: number | null };
    }) => dora.deploymentFrequency.medianDeployDaysPerWeek;

    it("computes DORA over the group's tracked entities, together and one by one", async () => {
      const res = await group('user:default/admin', 'default/web');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        groupRef: 'group:default/web',
        from: '2026-11-16',
        to: '2026-11-22',
        entities: [ref('Checkout'), ref('payments'), ref('storefront')],
      });
      // 4 deploy days of the week together; billing's Thursday is not
      // the group's.
      expect(res.body.dora.deploymentFrequency).toMatchObject({
        medianDeployDaysPerWeek: 4,
        deploys: 4,
        rating: 'high',
      });
      expect(
        res.body.byEntity.map(
          (e: { entityRef: string; dora: Parameters<typeof frequency>[0] }) => [
            e.entityRef,
            frequency(e.dora),
          ],
        ),
      ).toEqual([
        [ref('Checkout'), 1],
        [ref('payments'), null],
        [ref('storefront'), 3],
      ]);
    });

    it('counts only the entities the caller may read', async () => {
      const res = await group('user:default/project-viewer', 'default/web');
      expect(res.status).toBe(200);
      expect(res.body.entities).toEqual([ref('storefront')]);
      expect(res.body.dora.deploymentFrequency).toMatchObject({
        medianDeployDaysPerWeek: 3,
        deploys: 3,
      });
      expect(res.body.byEntity).toEqual([
        { entityRef: ref('storefront'), dora: res.body.dora },
      ]);
    });

    it('matches the group whatever the case of its namespace and name', async () => {
      const res = await group('user:default/admin', 'Default/WEB');
      expect(res.status).toBe(200);
      expect(res.body.groupRef).toBe('group:default/web');
      expect(res.body.entities).toEqual([
        ref('Checkout'),
        ref('payments'),
        ref('storefront'),
      ]);
    });

    it('answers a group owning nothing readable with no entities and empty keys', async () => {
      for (const [user, path] of [
        ['user:default/admin', 'default/no-such-team'],
        ['user:default/nobody', 'default/web'],
        ['user:default/project-viewer', 'default/billing'],
      ]) {
        const res = await group(user, path);
        expect({ user, path, status: res.status }).toEqual({
          user,
          path,
          status: 200,
        });
        expect(res.body).toMatchObject({ entities: [], byEntity: [] });
        expect(res.body.dora.deploymentFrequency).toMatchObject({
          medianDeployDaysPerWeek: null,
          deploys: 0,
          rating: null,
          reason: 'no-deploys',
        });
      }
    });

    it('reads the last 30 days by default', async () => {
      const res = await group('user:default/admin', 'default/billing', '');
      expect(res.body).toMatchObject({
        groupRef: 'group:default/billing',
        from: '2026-11-02',
        to: '2026-12-01',
        entities: [ref('billing')],
      });
      expect(res.body.dora.deploymentFrequency.deploys).toBe(1);
    });

    it.each([
      [
        'an impossible from',
        'default/web',
        '?from=2026-11-31',
        /from: must be a date as YYYY-MM-DD/,
      ],
      [
        'from after to',
        'default/web',
        '?from=2026-12-02&to=2026-12-01',
        /before it starts/,
      ],
      [
        '401 days',
        'default/web',
        '?from=2025-10-27&to=2026-12-01',
        /at most 400/,
      ],
      [
        'a namespace of 64 characters',
        `${'n'.repeat(64)}/web`,
        '',
        /Invalid group ref: namespace/,
      ],
      [
        'a name of 254 characters',
        `default/${'w'.repeat(254)}`,
        '',
        /Invalid group ref: name/,
      ],
    ])('refuses %s (400)', async (_what, path, query, message) => {
      const res = await group('user:default/admin', path, query);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    });

    it('requires a signed-in user', async () => {
      const res = await request(server).get('/analytics/groups/default/web');
      expect(res.status).toBe(401);
    });
  },
);
