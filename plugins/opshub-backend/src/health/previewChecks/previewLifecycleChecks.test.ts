import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import type { Audited } from '../../activity/audited';
import { migrateUp } from '../../database/migrations';
import { testCipher } from '../../envvars/testCipher';
import { DatabaseEnvVarStore } from '../../envvars/DatabaseEnvVarStore';
import { DatabasePreviewStore } from '../../previews/DatabasePreviewStore';
import { MockPreviewProvider } from '../../previews/MockPreviewProvider';
import { PreviewDeploys } from '../../previews/PreviewDeploys';
import { PreviewEnvPushes } from '../../previews/PreviewEnvPushes';
import { defaultPreviewRules } from '../../previews/previewRules';
import { ProviderRepositoryChecks } from '../../previews/ProviderRepositoryChecks';
import { registerPreviewJobs } from '../../previews/registerPreviewJobs';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue, type JobQueueOptions } from '../../queue/JobQueue';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import type { PreviewJobPayload } from '../../webhooks/planDelivery';
import { createTestDatabases } from '../../__testUtils__/databases';
import { waitFor } from '../../__testUtils__/waitFor';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import { DatabaseMaintenanceWindows } from '../maintenance/DatabaseMaintenanceWindows';
import { HealthRollupReads } from '../rollups/HealthRollupReads';
import { createHostLimiter } from '../hostLimiter';
import { NetworkPolicy } from '../probe/networkPolicy';
import { createSsrfSafeProber } from '../probe/ssrfSafeProber';
import { probeJobHandler } from '../probeJobHandler';
import { HEALTH_PROBE_JOB } from '../probeJobs';
import { createProbeRecorder } from '../probeRecorder';
import { healthRoutes } from '../routes';
import { scheduleDueProbes } from '../scheduleDueProbes';
import { HEALTH_QUEUE_OPTIONS } from '../setUpHealth';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import {
  fakeLookup,
  startLoopbackServer,
} from '../__testUtils__/loopbackServers';
import { createPreviewChecks } from './previewChecks';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const INTERVAL_MS = 60_000;

function prEvent(action: 'opened' | 'closed'): PreviewJobPayload {
  return {
    deliveryId: `d-${action}`,
    entityRef: ENTITY,
    repository: 'acme/web',
    action,
    pullRequest: {
      number: 7,
      title: 'Add search',
      author: 'octocat',
      draft: false,
      merged: false,
      labels: [],
      headSha: '1'.repeat(40),
      headRef: 'search',
      baseRef: 'main',
      fromFork: false,
      updatedAt: new Date().toISOString(),
    },
  };
}

/**
 * A preview's check through the real lifecycle: the preview jobs with the
 * mock provider, whose preview URL names a public-looking host that the
 * injected resolution answers with 127.0.0.1 (nothing leaves the machine),
 * the health queue probing it, and the health route showing it apart from
 * the entity's own checks.
 */
describe.each(databases.eachSupportedId())(
  'preview checks through the preview lifecycle on %s',
  id => {
    const guard = useConnectionGuard();
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it('watches a preview from ready to teardown, apart from the entity health', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      // The preview's "deploy": https to a plain HTTP server fails its TLS
      // handshake, so every probe of the preview fails; the API check of
      // the same entity asks the server over HTTP and succeeds.
      const server = await startLoopbackServer((_req, res) => {
        res.writeHead(200).end('ok');
      });
      cleanups.push(() => server.close());
      const logger = mockServices.logger.mock();
      const projects = new DatabaseProjectStore(knex);
      await projects.replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'acme/web',
          previewProvider: 'mock',
          verifiedBy: 'location',
        },
      ]);

      let clock = Date.now() - 24 * 3600_000;
      const store = new DatabaseHealthStore(knex);
      const lookup = fakeLookup('127.0.0.1');
      const policy = new NetworkPolicy({
        allowPrivateNetworks: false,
        allowedNetworks: ['127.0.0.1/32'],
      });
      const prober = createSsrfSafeProber({ policy, maxRedirects: 5, lookup });
      const previewChecks = createPreviewChecks({
        knex,
        store,
        config: { enabled: true, intervalMs: INTERVAL_MS, alert: false },
        policy,
        logger,
        now: () => clock,
      });
      // Last, once the queues have stopped.
      cleanups.push(async () => {
        await previewChecks.settled();
        await prober.close();
      });
      const queue = startQueue(knex, logger, cleanups, {}, q =>
        registerPreviewJobs(q, {
          knex,
          previews: new DatabasePreviewStore(knex),
          deploys: new PreviewDeploys(knex),
          repositoryChecks: new ProviderRepositoryChecks(knex),
          projects,
          envVars: new DatabaseEnvVarStore(knex),
          cipher: testCipher(),
          envPushes: new PreviewEnvPushes(knex),
          providers: new Map([
            [
              'mock',
              new MockPreviewProvider({
                delayMs: 0,
                failureRate: 0,
                domain: `preview.test:${server.port}`,
              }),
            ],
          ]),
          annotationsOf: async () => ({
            'opshub.dev/preview-provider': 'mock',
          }),
          queue: q,
          rules: defaultPreviewRules,
          // What setUpPreviews' notify does for preview checks.
          notify: preview => previewChecks.previewChanged(preview.id),
          announce: () => {},
          checkIntervalMs: 20,
          buildTimeoutMs: 60_000,
          logger,
        }),
      );
      const probing = {
        prober,
        hosts: createHostLimiter(4),
        // The checks here have no headers.
        resolveHeaders: async (
          _entityRef: string,
          headers: Record<string, string>,
        ) => ({
          headers,
        }),
        apply: createProbeRecorder(store, { lingerMs: 20 }),
        changed: () => {},
      };
      const healthQueue = startQueue(
        knex,
        logger,
        cleanups,
        HEALTH_QUEUE_OPTIONS,
        q =>
          q.register(HEALTH_PROBE_JOB, probeJobHandler(probing), {
            concurrency: 8,
            maxAttempts: 1,
          }),
      );
      const api = await store.createCheck(
        newHealthCheck({
          entityRef: ENTITY,
          name: 'home',
          url: `${server.origin}/healthz`,
          nextProbeAtMs: clock,
        }),
      );
      const previewCheck = async () =>
        (await store.listChecks(ENTITY)).find(c => c.source === 'preview');
      const samplesOf = async (checkId: string) =>
        (await knex('health_samples').where({ check_id: Number(checkId) }))
          .length;
      /** One interval on: the schedule enqueues what is due, probes run. */
      async function probeRound() {
        clock += INTERVAL_MS;
        await scheduleDueProbes({
          knex,
          queue: healthQueue,
          horizonMs: clock + 1,
          now: () => clock,
        });
        await waitFor(
          async () =>
            (
              await knex('jobs')
                .where({ type: HEALTH_PROBE_JOB })
                .whereIn('state', ['queued', 'running'])
            ).length === 0,
          { what: 'the due probes' },
        );
      }

      await queue.enqueue(knex, {
        type: 'create-preview',
        payload: prEvent('opened'),
      });
      const url = `https://web-pr-7.preview.test:${server.port}`;
      await waitFor(previewCheck, { what: 'the preview check' });
      // Created, then placed in its interval: probes go from there.
      await previewChecks.settled();
      const created = (await previewCheck())!;
      expect(created).toMatchObject({
        name: 'preview-pr-7',
        url,
        intervalMs: INTERVAL_MS,
        enabled: true,
      });
      const preview = await knex('previews').first();
      expect(created.previewId).toBe(String(preview.id));
      expect(preview).toMatchObject({ state: 'ready', url });

      // Three failures in a row (the default threshold) take it down.
      for (let round = 0; round < 3; round++) await probeRound();
      expect((await previewCheck())!.state).toBe('down');
      expect(await samplesOf(created.id)).toBeGreaterThanOrEqual(3);
      expect(new Set(lookup.calls)).toEqual(new Set(['web-pr-7.preview.test']));
      expect(server.connections).toBeGreaterThanOrEqual(4);
      expect(guard.attempts.length).toBeGreaterThan(0);

      const health = await request(routesApp(store, knex, () => clock)).get(
        '/entities/component/default/web/health',
      );
      expect(health.status).toBe(200);
      expect(health.body.state).toBe('ok');
      expect(health.body.checks).toEqual([
        expect.objectContaining({
          id: api.id,
          state: 'ok',
          openIncident: null,
        }),
      ]);
      expect(health.body.previews).toEqual([
        expect.objectContaining({
          id: created.id,
          source: 'preview',
          previewId: created.previewId,
          state: 'down',
          openIncident: expect.objectContaining({ state: 'down' }),
        }),
      ]);

      await queue.enqueue(knex, {
        type: 'teardown-preview',
        payload: prEvent('closed'),
      });
      await waitFor(async () => (await previewCheck()) === undefined, {
        what: 'the preview check to go',
      });
      await previewChecks.settled();
      expect((await knex('previews').first()).state).toMatch(
        /^(destroying|destroyed)$/,
      );
      expect(await samplesOf(created.id)).toBe(0);
      expect(
        await knex('health_incidents').where({
          check_id: Number(created.id),
        }),
      ).toEqual([]);
      expect(await store.listChecks(ENTITY)).toEqual([
        expect.objectContaining({ id: api.id }),
      ]);
    });
  },
);

/** A job queue on the test database, with its handlers, started. */
function startQueue(
  knex: Knex,
  logger: ReturnType<typeof mockServices.logger.mock>,
  cleanups: Array<() => Promise<void>>,
  options: Partial<JobQueueOptions>,
  register: (queue: JobQueue) => void,
): JobQueue {
  const jobs = new DatabaseJobStore(knex);
  const queue = new JobQueue(jobs, logger, { pollIntervalMs: 20, ...options });
  register(queue);
  queue.start();
  cleanups.push(async () => {
    await queue.stop();
    await jobs.close();
  });
  return queue;
}

/** The health routes, every request allowed (GET only: nothing audited). */
function routesApp(store: DatabaseHealthStore, knex: Knex, now: () => number) {
  const app = express();
  app.use(
    healthRoutes({
      authorizer: {
        authorize: async () => mockCredentials.user(),
      } as unknown as ProjectAuthorizer,
      audited: (() => {
        throw new Error('nothing is audited here');
      }) as Audited,
      store,
      maintenance: new DatabaseMaintenanceWindows(knex),
      rollups: new HealthRollupReads(knex),
      policy: new NetworkPolicy({
        allowPrivateNetworks: false,
        allowedNetworks: [],
      }),
      config: { minIntervalMs: 10_000 },
      changed: () => {},
      now,
    }),
  );
  return app;
}
