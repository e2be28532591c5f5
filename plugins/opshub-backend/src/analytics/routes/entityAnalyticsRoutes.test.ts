import type { Knex } from 'knex';
import request from 'supertest';
import { migrateUp } from '../../database/migrations';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseRoleAssignmentStore } from '../../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../../__testUtils__/databases';
import { entityAnalyticsRoutes } from './entityAnalyticsRoutes';
import {
  analyticsTestApp,
  as,
  component,
  productionDeploys,
  TEST_DORA_OPTIONS,
} from './__testUtils__/analyticsTestApp';
import { policyAuthorizer } from './__testUtils__/policyAuthorizer';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const STOREFRONT = 'component:default/storefront';
const CHECKOUT = 'component:default/Checkout';
const PAYMENTS = 'component:default/payments';
const PATH = '/entities/component/default/storefront/analytics';
const MINUTE = 60_000;

describe.each(databases.eachSupportedId())(
  'the entity analytics route on %s',
  id => {
    let knex: Knex;
    let server: ReturnType<typeof analyticsTestApp>;

    /** A finished deploy of the storefront (or `entityRef`), queued at `queuedAt`. */
    const deploy = (
      queuedAt: string,
      outcome: 'succeeded' | 'failed' | 'superseded',
      environmentClass: 'production' | 'preview' = 'production',
      entityRef = STOREFRONT,
    ) => {
      const queued = Date.parse(queuedAt);
      return knex('deploy_events').insert({
        entity_ref: entityRef,
        environment:
          environmentClass === 'production' ? 'production' : 'preview',
        environment_class: environmentClass,
        source: environmentClass === 'production' ? 'github' : 'preview',
        provider: environmentClass === 'production' ? 'github' : 'mock',
        head_sha: 'a'.repeat(40),
        queued_at: new Date(queued),
        started_at: new Date(queued + MINUTE),
        finished_at: new Date(queued + 3 * MINUTE),
        outcome,
        error_class: outcome === 'failed' ? 'build' : null,
        updated_at: new Date(queued + 3 * MINUTE),
      });
    };

    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
      const assignments = new DatabaseRoleAssignmentStore(knex);
      await assignments.add({
        entityRef: STOREFRONT,
        subjectRef: 'user:default/project-viewer',
        role: 'viewer',
        createdBy: 'test',
      });
      // The default window is 2026-11-02..2026-12-01 (30 days to today).
      await deploy('2026-11-01T23:59:00.000Z', 'succeeded');
      await deploy('2026-11-02T00:00:00.000Z', 'succeeded');
      await deploy('2026-11-20T10:00:00.000Z', 'failed');
      await deploy('2026-12-01T11:00:00.000Z', 'succeeded', 'preview');
      await deploy('2026-12-01T11:30:00.000Z', 'superseded', 'preview');
      // Tracked, and its events stored, in the case the catalog gave it.
      await new DatabaseProjectStore(knex).replaceAll([
        { entityRef: STOREFRONT, repoSlug: 'acme/storefront' },
        { entityRef: CHECKOUT, repoSlug: 'acme/checkout' },
        { entityRef: PAYMENTS, repoSlug: 'acme/payments' },
      ]);
      await deploy('2026-11-30T08:00:00.000Z', 'failed', 'preview', CHECKOUT);
      // Payments in the week of Monday 2026-11-16: successful production
      // deploys on 3 days (twice on the 17th); a failed one and a preview
      // are no DORA deploys.
      await productionDeploys(knex, PAYMENTS, [
        '2026-11-16T10:00:00.000Z',
        '2026-11-17T09:00:00.000Z',
        '2026-11-17T15:00:00.000Z',
        '2026-11-19T20:00:00.000Z',
      ]);
      await deploy(
        '2026-11-18T10:00:00.000Z',
        'failed',
        'production',
        PAYMENTS,
      );
      await deploy(
        '2026-11-21T10:00:00.000Z',
        'succeeded',
        'preview',
        PAYMENTS,
      );

      const { authorizer } = policyAuthorizer({
        knex,
        entities: [
          component('storefront', 'group:default/web'),
          component('billing', 'group:default/billing'),
          component('Checkout', 'group:default/web'),
          component('payments', 'group:default/web'),
        ],
        groups: { 'user:default/admin': ['group:default/platform'] },
        orgOwners: ['group:default/platform'],
      });
      server = analyticsTestApp(
        entityAnalyticsRoutes({
          authorizer,
          knex,
          dora: TEST_DORA_OPTIONS,
          now: () => NOW,
        }),
      );
    });

    const get = (user: string, query = '', path = PATH) =>
      request(server).get(`${path}${query}`).set(as(user));

    it("answers the entity's deploys of the last 30 days by default", async () => {
      const res = await get('user:default/project-viewer');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        from: '2026-11-02',
        to: '2026-12-01',
        environment: null,
        deploys: {
          total: 4,
          succeeded: 2,
          failed: 1,
          superseded: 1,
          successRate: 2 / 3,
        },
        errorClasses: [{ class: 'build', count: 1 }],
      });
      expect(res.body.deploys.byDay).toHaveLength(30);
      expect(res.body.recent).toHaveLength(4);
    });

    it('narrows to an environment class and to a window, both days included', async () => {
      const production = await get(
        'user:default/project-viewer',
        '?environment=production&from=2026-11-01&to=2026-11-02',
      );
      expect(production.status).toBe(200);
      expect(production.body).toMatchObject({
        from: '2026-11-01',
        to: '2026-11-02',
        environment: 'production',
        deploys: { total: 2, succeeded: 2 },
      });
      const preview = await get(
        'user:default/project-viewer',
        '?environment=preview',
      );
      expect(preview.body.deploys).toMatchObject({
        total: 2,
        succeeded: 1,
        superseded: 1,
        successRate: 1,
      });
      // The entity ref of the path compares case-insensitively.
      const capitals = await get(
        'user:default/project-viewer',
        '',
        '/entities/Component/default/StoreFront/analytics',
      );
      expect(capitals.body.deploys.total).toBe(4);
    });

    it('reads the events of an entity tracked with capitals in its name', async () => {
      const res = await get(
        'user:default/admin',
        '',
        '/entities/component/default/checkout/analytics',
      );
      expect(res.status).toBe(200);
      expect(res.body.deploys).toMatchObject({ total: 1, failed: 1 });
      expect(
        res.body.recent.map((e: { entityRef: string }) => e.entityRef),
      ).toEqual([CHECKOUT]);
    });

    it('answers an entity without deploys with an empty window', async () => {
      const res = await get(
        'user:default/admin',
        '?from=2026-11-01&to=2026-11-03',
        '/entities/component/default/billing/analytics',
      );
      expect(res.status).toBe(200);
      expect(res.body.deploys).toEqual({
        total: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        superseded: 0,
        successRate: null,
        byDay: ['2026-11-01', '2026-11-02', '2026-11-03'].map(date => ({
          date,
          succeeded: 0,
          failed: 0,
          cancelled: 0,
        })),
      });
      expect(res.body.recent).toEqual([]);
    });

    it("adds DORA's keys over the window's successful production deploys", async () => {
      const res = await get(
        'user:default/admin',
        '?from=2026-11-16&to=2026-11-22',
        '/entities/component/default/payments/analytics',
      );
      expect(res.status).toBe(200);
      expect(res.body.deploys.total).toBe(6);
      // 3 deploy days in the window's one week (and month): at least one a
      // week, under five, is high.
      expect(res.body.dora).toMatchObject({
        deploymentFrequency: {
          medianDeployDaysPerWeek: 3,
          medianDeployDaysPerMonth: 3,
          deploys: 4,
          rating: 'high',
          reason: null,
        },
        leadTimeForChanges: {
          medianHours: null,
          changes: 0,
          rating: null,
          reason: 'no-deployed-changes',
        },
        changeFailureRate: {
          value: 0,
          failedDeploys: 0,
          deploys: 4,
          rating: 'elite',
          reason: null,
        },
        recoveryTime: {
          medianHours: null,
          incidents: 0,
          rating: null,
          reason: 'no-recovered-incidents',
        },
      });
    });

    it('computes DORA from production deploys whatever the environment filter', async () => {
      const query = '?from=2026-11-16&to=2026-11-22';
      const path = '/entities/component/default/payments/analytics';
      const all = await get('user:default/admin', query, path);
      const preview = await get(
        'user:default/admin',
        `${query}&environment=preview`,
        path,
      );
      expect(preview.status).toBe(200);
      expect(preview.body.deploys.total).toBe(1);
      expect(preview.body.dora).toEqual(all.body.dora);
      expect(preview.body.dora.deploymentFrequency.deploys).toBe(4);
      // Another window: another DORA.
      const before = await get(
        'user:default/admin',
        '?from=2026-11-09&to=2026-11-15',
        path,
      );
      expect(before.body.dora.deploymentFrequency).toMatchObject({
        deploys: 0,
        rating: null,
        reason: 'no-deploys',
      });
    });

    it('refuses without opshub.analytics.read, naming nothing of the entity', async () => {
      expect((await request(server).get(PATH)).status).toBe(401);
      for (const [user, path] of [
        ['user:default/nobody', PATH],
        // A role on another entity gives nothing here.
        ['user:default/project-viewer', PATH.replace('storefront', 'billing')],
        // The catalog does not know it: refused as for a stranger, even to
        // an org owner, so its existence does not show.
        ['user:default/admin', PATH.replace('storefront', 'no-such-thing')],
        // Checked before the query, which does not change the answer.
        ['user:default/nobody', `${PATH}?from=someday`],
      ]) {
        const res = await get(user, '', path);
        expect({
          user,
          path,
          status: res.status,
          error: res.body.error,
        }).toEqual({
          user,
          path,
          status: 403,
          error: expect.objectContaining({
            name: 'NotAllowedError',
            message: 'Requires opshub.analytics.read',
          }),
        });
      }
    });

    it.each([
      ['?from=2026-11-31', /from: must be a date as YYYY-MM-DD/],
      ['?to=2026-1-1', /to: must be a date as YYYY-MM-DD/],
      ['?from=2026-12-02&to=2026-12-01', /before it starts/],
      ['?from=2025-10-27&to=2026-12-01', /at most 400/],
      ['?to=2026-01-01&from=2024-11-27', /at most 400/],
      [
        '?environment=staging',
        /environment: must be one of production, preview/,
      ],
    ])('refuses %s (400)', async (query, message) => {
      const res = await get('user:default/project-viewer', query);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    });

    it('takes a window of exactly 400 days', async () => {
      const res = await get(
        'user:default/project-viewer',
        '?from=2025-10-28&to=2026-12-01',
      );
      expect(res.status).toBe(200);
      expect(res.body.deploys.byDay).toHaveLength(400);
    });
  },
);
