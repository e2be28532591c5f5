import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../../database/migrations';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseRoleAssignmentStore } from '../../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../../__testUtils__/databases';
import { overviewRoutes } from './overviewRoutes';
import {
  analyticsTestApp,
  as,
  NO_DORA_RATINGS,
  productionDeploys,
  seedDailyStats,
  TEST_DORA_OPTIONS,
} from './__testUtils__/analyticsTestApp';
import { policyAuthorizer } from './__testUtils__/policyAuthorizer';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ref = (name: string) => `component:default/${name}`;
/** Tracked projects; Checkout keeps the case the catalog gave it. */
const PROJECTS = [
  { name: 'storefront', owner: 'group:default/web' },
  { name: 'billing', owner: 'group:default/billing' },
  { name: 'alpha' },
  { name: 'beta' },
  { name: 'gamma' },
  { name: 'delta' },
  { name: 'Checkout' },
];
const GROUPS = {
  'user:default/web-dev': ['group:default/web'],
  'user:default/admin': ['group:default/platform'],
};

describe.each(databases.eachSupportedId())(
  'the analytics overview on %s',
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
      const assignments = new DatabaseRoleAssignmentStore(knex);
      await assignments.add({
        entityRef: ref('storefront'),
        subjectRef: 'user:default/project-viewer',
        role: 'viewer',
        createdBy: 'test',
      });
      await assignments.add({
        entityRef: OPSHUB_INSTALLATION_REF,
        subjectRef: 'user:default/org-viewer',
        role: 'viewer',
        createdBy: 'test',
      });

      const seed = (
        name: string,
        day: string,
        counts: Omit<Parameters<typeof seedDailyStats>[1], 'entityRef' | 'day'>,
      ) => seedDailyStats(knex, { entityRef: ref(name), day, ...counts });
      // storefront: 7 deploys in the default window, under both cases of its
      // ref (previews keep the ref as given).
      await seed('Storefront', '2026-11-02', {
        succeeded: 2,
        failed: 1,
        superseded: 1,
      });
      await seed('storefront', '2026-12-01', { succeeded: 2, cancelled: 1 });
      // Outside the default window (2026-11-02..2026-12-01): not counted.
      await seed('storefront', '2026-11-01', { succeeded: 50 });
      await seed('billing', '2026-12-02', { succeeded: 50 });
      // Per-class rows repeat the `all` row's deploys: not counted again.
      await seed('storefront', '2026-12-01', {
        environmentClass: 'production',
        succeeded: 2,
      });
      await seed('alpha', '2026-11-20', { succeeded: 5 });
      await seed('beta', '2026-11-20', { failed: 3 });
      await seed('billing', '2026-11-10', { succeeded: 1 });
      await seed('billing', '2026-11-11', { succeeded: 2 });
      await seed('gamma', '2026-11-30', { superseded: 3 });
      await seed('checkout', '2026-11-15', { succeeded: 1 });
      // Production deploys (for DORA) in the week of Monday 2026-10-12, out
      // of the default window: alpha on 2 days, Checkout on 1.
      await productionDeploys(knex, ref('alpha'), [
        '2026-10-12T10:00:00.000Z',
        '2026-10-14T10:00:00.000Z',
      ]);
      await productionDeploys(knex, ref('Checkout'), [
        '2026-10-16T10:00:00.000Z',
      ]);

      const { authorizer, access } = policyAuthorizer({
        knex,
        entities: [],
        groups: GROUPS,
        orgOwners: ['group:default/platform'],
        implicitOwnerRole: 'developer',
      });
      server = analyticsTestApp(
        overviewRoutes({
          authorizer,
          knex,
          access,
          dora: TEST_DORA_OPTIONS,
          now: () => NOW,
        }),
      );
    });

    const overview = (user: string, query = '') =>
      request(server).get(`/analytics/overview${query}`).set(as(user));
    const refsOf = (body: { items: Array<{ entityRef: string }> }) =>
      body.items.map(i => i.entityRef);
    const ratingsOf = (body: {
      items: Array<{ entityRef: string; dora: object }>;
    }) => body.items.map(i => [i.entityRef, i.dora]);

    it('lists only the entities the caller may read', async () => {
      const all = [
        'storefront',
        'alpha',
        'beta',
        'billing',
        'gamma',
        'Checkout',
        'delta',
      ].map(ref);
      const visible = async (user: string) => {
        const res = await overview(user);
        expect(res.status).toBe(200);
        return refsOf(res.body);
      };
      // A project role, or the implicit role of the catalog owner's members.
      expect(await visible('user:default/project-viewer')).toEqual([
        ref('storefront'),
      ]);
      expect(await visible('user:default/web-dev')).toEqual([
        ref('storefront'),
      ]);
      // An org role, or a configured org owner: every project.
      expect(await visible('user:default/org-viewer')).toEqual(all);
      expect(await visible('user:default/admin')).toEqual(all);
      expect(await visible('user:default/nobody')).toEqual([]);
      expect((await request(server).get('/analytics/overview')).status).toBe(
        401,
      );
    });

    it('ranks by deploys of the window, then by entity ref, with the headline numbers', async () => {
      const res = await overview('user:default/org-viewer');
      expect(res.body).toEqual({
        from: '2026-11-02',
        to: '2026-12-01',
        items: [
          {
            entityRef: ref('storefront'),
            deploys: 7,
            succeeded: 4,
            failed: 1,
            cancelled: 1,
            successRate: 4 / 6,
            dora: NO_DORA_RATINGS,
          },
          item('alpha', { deploys: 5, succeeded: 5, successRate: 1 }),
          item('beta', { deploys: 3, failed: 3, successRate: 0 }),
          item('billing', { deploys: 3, succeeded: 3, successRate: 1 }),
          // Superseded deploys count as deploys, not in the success rate.
          item('gamma', { deploys: 3 }),
          item('Checkout', { deploys: 1, succeeded: 1, successRate: 1 }),
          item('delta', {}),
        ],
        nextCursor: null,
      });
    });

    it('pages with a cursor until the last page', async () => {
      const pages: string[][] = [];
      let after: string | null = '';
      while (after !== null) {
        const res = await overview(
          'user:default/admin',
          `?limit=3${after ? `&after=${after}` : ''}`,
        );
        expect(res.status).toBe(200);
        pages.push(refsOf(res.body));
        after = res.body.nextCursor;
      }
      expect(pages).toEqual([
        [ref('storefront'), ref('alpha'), ref('beta')],
        [ref('billing'), ref('gamma'), ref('Checkout')],
        [ref('delta')],
      ]);
      // A page that ends with the last row has no next one.
      const exact = await overview('user:default/admin', '?limit=7');
      expect(exact.body.items).toHaveLength(7);
      expect(exact.body.nextCursor).toBeNull();
    });

    it('lists every readable entity with zeros for a window without deploys', async () => {
      const res = await overview(
        'user:default/org-viewer',
        '?from=2025-12-30&to=2026-01-02',
      );
      expect(res.body.from).toBe('2025-12-30');
      expect(res.body.to).toBe('2026-01-02');
      expect(res.body.items).toEqual(
        [
          'alpha',
          'beta',
          'billing',
          'Checkout',
          'delta',
          'gamma',
          'storefront',
        ].map(name => item(name, {})),
      );
    });

    it('reads the window from and to, both included', async () => {
      const res = await overview(
        'user:default/project-viewer',
        '?from=2026-11-01&to=2026-11-02',
      );
      expect(res.body.items).toEqual([
        {
          entityRef: ref('storefront'),
          deploys: 54,
          succeeded: 52,
          failed: 1,
          cancelled: 0,
          successRate: 52 / 53,
          dora: NO_DORA_RATINGS,
        },
      ]);
    });

    it("rates each entity's DORA keys over the window", async () => {
      const res = await overview(
        'user:default/org-viewer',
        '?from=2026-10-12&to=2026-10-18',
      );
      expect(res.status).toBe(200);
      // At least one deploy day a week, no incident: high frequency, an
      // elite change failure rate; no change or recovery to rate.
      const deployed = {
        deploymentFrequency: 'high',
        leadTimeForChanges: null,
        changeFailureRate: 'elite',
        recoveryTime: null,
      };
      expect(ratingsOf(res.body)).toEqual([
        [ref('alpha'), deployed],
        [ref('beta'), NO_DORA_RATINGS],
        [ref('billing'), NO_DORA_RATINGS],
        [ref('Checkout'), deployed],
        [ref('delta'), NO_DORA_RATINGS],
        [ref('gamma'), NO_DORA_RATINGS],
        [ref('storefront'), NO_DORA_RATINGS],
      ]);
      // Rated per page, whatever page an entity lands on.
      const window = '?from=2026-10-12&to=2026-10-18&limit=3';
      const first = await overview('user:default/org-viewer', window);
      const second = await overview(
        'user:default/org-viewer',
        `${window}&after=${first.body.nextCursor}`,
      );
      expect(ratingsOf(second.body)).toEqual([
        [ref('Checkout'), deployed],
        [ref('delta'), NO_DORA_RATINGS],
        [ref('gamma'), NO_DORA_RATINGS],
      ]);
    });

    it.each([
      ['?from=2026-02-30', /from: must be a date as YYYY-MM-DD/],
      ['?to=yesterday', /to: must be a date as YYYY-MM-DD/],
      ['?from=2026-11-02&to=2026-11-01', /before it starts/],
      ['?from=2025-10-27&to=2026-12-01', /at most 400/],
      ['?limit=0', /limit/],
      ['?limit=201', /limit/],
      ['?limit=ten', /limit/],
      ['?after=not-a-cursor', /after: not a cursor/],
    ])('refuses %s (400)', async (query, message) => {
      const res = await overview('user:default/org-viewer', query);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    });

    it('takes a window of exactly 400 days', async () => {
      const res = await overview(
        'user:default/org-viewer',
        '?from=2025-10-28&to=2026-12-01',
      );
      expect(res.status).toBe(200);
    });
  },
);

function item(
  name: string,
  numbers: Partial<{
    deploys: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    successRate: number | null;
  }>,
) {
  return {
    entityRef: ref(name),
    deploys: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    successRate: null,
    dora: NO_DORA_RATINGS,
    ...numbers,
  };
}
