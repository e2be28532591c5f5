import { mockServices } from '@backstage/backend-test-utils';
import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import type { Knex } from 'knex';
import request from 'supertest';
import { toDate } from '../../database/timestamps';
import { DatabaseProjectStore } from '../../projects/DatabaseProjectStore';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  asUser,
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../../__testUtils__/testBackend';
import { waitFor } from '../../__testUtils__/waitFor';
import { RECORD_DEPLOYMENT } from './deploymentDeliveries';
import { registerGithubDeploymentJobs } from './registerGithubDeploymentJobs';

// Issue 17: production deploys come from GitHub's deployment and
// deployment_status webhooks, through the real route and intake, for the
// verified entities of the repository only.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/hello-world';
const CLAIMED = 'component:default/claimed';
const examplesOf = (name: string) =>
  examples.find(e => e.name === name)!.examples as Array<Record<string, any>>;
/** GitHub's example payloads (production, Codertocat/Hello-World). */
const deploymentExample = examplesOf('deployment')[0];
const statusExample = examplesOf('deployment_status')[0];
const pagesStatusExample = examplesOf('deployment_status')[1];
const QUEUED_AT = '2026-11-30T10:00:00Z';

const second = (seconds: number) =>
  new Date(Date.parse(QUEUED_AT) + seconds * 1000);
const stamp = (seconds: number) =>
  second(seconds).toISOString().replace('.000', '');

/** The example deployment with this id, environment and repository. */
function deploymentOf(
  id: number,
  environment = 'production',
  repository = 'Codertocat/Hello-World',
) {
  return {
    deployment: {
      ...deploymentExample.deployment,
      id,
      environment,
      created_at: QUEUED_AT,
      updated_at: QUEUED_AT,
    },
    repository: { ...deploymentExample.repository, full_name: repository },
  };
}

/** The example `deployment` event of this deployment. */
const deploymentEvent = (...args: Parameters<typeof deploymentOf>) => ({
  ...deploymentExample,
  ...deploymentOf(...args),
});

let statusIds = 209916254;
/** The example `deployment_status` event: `state` at `seconds` after queueing. */
function statusEvent(
  deployment: ReturnType<typeof deploymentOf>,
  state: string,
  seconds: number,
  urls: {
    log_url?: string;
    target_url?: string;
    environment_url?: string;
  } = {},
) {
  return {
    ...statusExample,
    ...deployment,
    deployment_status: {
      ...statusExample.deployment_status,
      id: ++statusIds,
      state,
      environment: deployment.deployment.environment,
      created_at: stamp(seconds),
      updated_at: stamp(seconds),
      target_url: '',
      ...urls,
    },
  };
}

let deliveryCounter = 0;
const nextDeliveryId = () =>
  `d3b10e55-cc78-11e3-81ab-${String(++deliveryCounter).padStart(12, '0')}`;

describe.each(databases.eachSupportedId())(
  'GitHub deployments through POST /webhooks/github on %s',
  id => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startOpsHubBackend>>;
    let queue: JobQueue | undefined;
    /** The clock of the job's writes: one tick per write. */
    let tick = 0;
    const now = () => new Date(Date.UTC(2026, 11, 1, 0, 0, ++tick));

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
        // Claimed by an annotation only: not verified.
        {
          entityRef: CLAIMED,
          repoSlug: 'acme/claimed',
          location: 'file:/srv/catalog/claimed.yaml',
        },
      ]);
    });
    beforeEach(async () => {
      await knex('jobs').delete();
      await knex('webhook_deliveries').delete();
      await knex('deploy_events').delete();
    });
    afterEach(async () => {
      await queue?.stop();
      queue = undefined;
    });

    async function deliver(
      event: 'deployment' | 'deployment_status',
      payload: unknown,
      deliveryId = nextDeliveryId(),
    ) {
      const body = JSON.stringify(payload);
      const res = await request(server)
        .post('/api/opshub/webhooks/github')
        .set('Content-Type', 'application/json')
        .set('X-GitHub-Event', event)
        .set('X-GitHub-Delivery', deliveryId)
        .set(
          'X-Hub-Signature-256',
          await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
        )
        .send(body);
      // 200 for a delivery id recorded before.
      expect(res.status).toBe(res.body.duplicate ? 200 : 202);
      return res.body as {
        deliveryId: string;
        duplicate: boolean;
        outcome?: string;
        jobIds?: string[];
      };
    }

    /** Runs every queued record-deployment job (the plugin's worker is off). */
    async function runJobs() {
      if (!queue) {
        queue = new JobQueue(
          new DatabaseJobStore(knex),
          mockServices.logger.mock(),
          { pollIntervalMs: 20 },
        );
        registerGithubDeploymentJobs(queue, { knex, now });
        queue.start();
      }
      await waitFor(
        async () =>
          (await knex('jobs')
            .where({ type: RECORD_DEPLOYMENT })
            .whereIn('state', ['queued', 'running'])
            .first('id')) === undefined,
        { what: 'the record-deployment jobs to finish' },
      );
      const dead = await knex('jobs')
        .where({ type: RECORD_DEPLOYMENT })
        .whereNot('state', 'succeeded')
        .select('state', 'last_error');
      expect(dead).toEqual([]);
    }

    async function events() {
      const rows = await knex('deploy_events').orderBy('deployment_id');
      return rows.map(row => ({
        ...row,
        id: String(row.id),
        queued_at: toDate(row.queued_at),
        started_at: row.started_at === null ? null : toDate(row.started_at),
        finished_at: row.finished_at === null ? null : toDate(row.finished_at),
        updated_at: toDate(row.updated_at),
      }));
    }

    it('records GitHub’s example deployment and its success as a production deploy', async () => {
      const created = await deliver('deployment', deploymentExample);
      expect(created).toMatchObject({
        outcome: 'enqueued',
        jobIds: [expect.any(String)],
      });
      const succeeded = await deliver('deployment_status', {
        ...statusExample,
        deployment_status: {
          ...statusExample.deployment_status,
          log_url: 'https://ci.example/runs/1',
          environment_url: 'https://hello.example',
        },
      });
      expect(succeeded.outcome).toBe('enqueued');
      const jobs = await knex('jobs')
        .orderBy('id')
        .select('key', { group: 'exclusion_group' });
      expect(jobs).toEqual([
        {
          key: `deployment:${ENTITY}:145988746:created`,
          group: `deployment:${ENTITY}:145988746`,
        },
        {
          key: `deployment:${ENTITY}:145988746:status:209916254`,
          group: `deployment:${ENTITY}:145988746`,
        },
      ]);
      await runJobs();

      expect(await events()).toEqual([
        {
          id: expect.any(String),
          entity_ref: ENTITY,
          environment: 'production',
          environment_class: 'production',
          source: 'github',
          provider: 'github',
          repository: 'Codertocat/Hello-World',
          head_sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
          pr_number: null,
          preview_id: null,
          deployment_id: '145988746',
          url: 'https://ci.example/runs/1',
          queued_at: new Date('2019-05-15T15:20:53Z'),
          // The example never reported in_progress.
          started_at: null,
          finished_at: new Date('2019-05-15T15:20:55Z'),
          outcome: 'succeeded',
          error_code: null,
          error_class: null,
          updated_at: expect.any(Date),
        },
      ]);
    });

    it.each([
      ['queued', null, null, null, null],
      ['pending', null, null, null, null],
      ['in_progress', 30, null, null, null],
      ['success', null, 30, 'succeeded', null],
      ['failure', null, 30, 'failed', 'build'],
      ['error', null, 30, 'failed', 'unknown'],
      ['inactive', null, 30, 'cancelled', null],
    ] as const)(
      'maps a %s status: started %s, finished %s, outcome %s, error class %s',
      async (state, started, finished, outcome, errorClass) => {
        const deployment = deploymentOf(7001);
        await deliver('deployment', deploymentEvent(7001));
        await deliver(
          'deployment_status',
          statusEvent(deployment, state, 30, {
            target_url: `https://ci.example/${state}`,
          }),
        );
        await runJobs();
        const [event] = await events();
        expect(event).toMatchObject({
          deployment_id: '7001',
          queued_at: second(0),
          started_at: started === null ? null : second(started),
          finished_at: finished === null ? null : second(finished),
          outcome,
          error_code: outcome === 'failed' ? state : null,
          error_class: errorClass,
          url: `https://ci.example/${state}`,
        });
      },
    );

    it('records a whole rollout; statuses after the terminal one, inactive after success included, change nothing', async () => {
      const deployment = deploymentOf(7002);
      await deliver('deployment', deploymentEvent(7002));
      for (const [state, seconds] of [
        ['queued', 1],
        ['pending', 2],
        ['in_progress', 10],
        ['in_progress', 20],
        ['success', 95],
      ] as const) {
        await deliver(
          'deployment_status',
          statusEvent(deployment, state, seconds),
        );
      }
      await runJobs();
      const [done] = await events();
      expect(done).toMatchObject({
        queued_at: second(0),
        started_at: second(10),
        finished_at: second(95),
        outcome: 'succeeded',
      });

      await deliver(
        'deployment_status',
        statusEvent(deployment, 'inactive', 900),
      );
      await deliver(
        'deployment_status',
        statusEvent(deployment, 'failure', 901),
      );
      await runJobs();
      expect(await events()).toEqual([done]);
    });

    it('applies statuses arriving out of order by their own created_at', async () => {
      const deployment = deploymentOf(7003);
      await deliver(
        'deployment_status',
        statusEvent(deployment, 'success', 120),
      );
      await runJobs();
      await deliver(
        'deployment_status',
        statusEvent(deployment, 'in_progress', 40),
      );
      await runJobs();
      await deliver(
        'deployment_status',
        statusEvent(deployment, 'in_progress', 15),
      );
      await deliver('deployment', deploymentEvent(7003));
      await deliver(
        'deployment_status',
        statusEvent(deployment, 'in_progress', 200),
      );
      await runJobs();
      expect(await events()).toEqual([
        expect.objectContaining({
          queued_at: second(0),
          started_at: second(15),
          finished_at: second(120),
          outcome: 'succeeded',
        }),
      ]);
    });

    it('sets updated_at on every write; redeliveries change nothing', async () => {
      const deployment = deploymentOf(7004);
      const failed = statusEvent(deployment, 'failure', 50);
      const first = await deliver('deployment_status', failed);
      await runJobs();
      const [recorded] = await events();
      expect(recorded).toMatchObject({
        outcome: 'failed',
        error_class: 'build',
      });

      // GitHub's redelivery keeps the delivery id: recorded once.
      expect(
        await deliver('deployment_status', failed, first.deliveryId),
      ).toEqual({ deliveryId: first.deliveryId, duplicate: true });
      // The same status under another delivery id, and OpsHub's redelivery.
      expect(await deliver('deployment_status', failed)).toMatchObject({
        outcome: 'enqueued',
      });
      const redelivered = await request(server)
        .post(`/api/opshub/webhooks/deliveries/${first.deliveryId}/redeliver`)
        .set(asUser);
      expect(redelivered.status).toBe(200);
      expect(redelivered.body.jobIds).toHaveLength(1);
      await runJobs();
      expect(await events()).toEqual([recorded]);

      await deliver(
        'deployment_status',
        statusEvent(deployment, 'in_progress', 10),
      );
      await runJobs();
      const [started] = await events();
      expect(started.started_at).toEqual(second(10));
      expect(started.updated_at.getTime()).toBeGreaterThan(
        recorded.updated_at.getTime(),
      );
    });

    it('records nothing for a repository only unverified entities name', async () => {
      const deployment = deploymentOf(7005, 'production', 'acme/claimed');
      expect(
        await deliver(
          'deployment',
          deploymentEvent(7005, 'production', 'acme/claimed'),
        ),
      ).toMatchObject({ outcome: 'unverified', jobIds: [] });
      expect(
        await deliver(
          'deployment_status',
          statusEvent(deployment, 'success', 9),
        ),
      ).toMatchObject({ outcome: 'unverified', jobIds: [] });
      expect(await knex('jobs').select('id')).toEqual([]);
      expect(await events()).toEqual([]);
    });

    it('ignores deployments to environments that are not production', async () => {
      for (const environment of ['staging', 'preview-42', 'pre-production']) {
        const deployment = deploymentOf(7006, environment);
        expect(
          await deliver('deployment', deploymentEvent(7006, environment)),
        ).toMatchObject({ outcome: 'ignored', jobIds: [] });
        expect(
          await deliver(
            'deployment_status',
            statusEvent(deployment, 'success', 9),
          ),
        ).toMatchObject({ outcome: 'ignored', jobIds: [] });
      }
      // GitHub's github-pages example.
      expect(
        await deliver('deployment_status', pagesStatusExample),
      ).toMatchObject({ outcome: 'ignored', jobIds: [] });
      expect(await knex('jobs').select('id')).toEqual([]);
    });

    it('records prod-eu (prod*) and Production (production), keeping the raw names', async () => {
      await deliver(
        'deployment_status',
        statusEvent(deploymentOf(7007, 'prod-eu'), 'success', 9),
      );
      await deliver(
        'deployment_status',
        statusEvent(deploymentOf(7008, 'Production'), 'error', 9),
      );
      await runJobs();
      expect(
        (await events()).map(e => [
          e.deployment_id,
          e.environment,
          e.environment_class,
          e.outcome,
        ]),
      ).toEqual([
        ['7007', 'prod-eu', 'production', 'succeeded'],
        ['7008', 'Production', 'production', 'failed'],
      ]);
    });

    it('is wired into the plugin: its worker records deploys, for opshub.analytics.productionEnvironments', async () => {
      const own = await databases.init(id);
      const live = await startOpsHubBackend({
        knex: own,
        config: {
          analytics: { productionEnvironments: ['live-*'] },
          queue: { concurrency: 2, pollInterval: { milliseconds: 20 } },
        },
      });
      await new DatabaseProjectStore(own).replaceAll([
        {
          entityRef: ENTITY,
          repoSlug: 'Codertocat/Hello-World',
          location:
            'url:https://github.com/Codertocat/Hello-World/blob/master/catalog-info.yaml',
          verifiedBy: 'location',
        },
      ]);
      const send = async (payload: unknown) => {
        const body = JSON.stringify(payload);
        const res = await request(live)
          .post('/api/opshub/webhooks/github')
          .set('Content-Type', 'application/json')
          .set('X-GitHub-Event', 'deployment_status')
          .set('X-GitHub-Delivery', nextDeliveryId())
          .set(
            'X-Hub-Signature-256',
            await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
          )
          .send(body);
        return res.body.outcome;
      };
      expect(
        await send(statusEvent(deploymentOf(7101, 'production'), 'success', 9)),
      ).toBe('ignored');
      expect(
        await send(statusEvent(deploymentOf(7102, 'Live-EU'), 'success', 9)),
      ).toBe('enqueued');
      const row = await waitFor(
        () => own('deploy_events').first('deployment_id', 'outcome'),
        { what: 'the deploy event' },
      );
      expect(row).toEqual({ deployment_id: '7102', outcome: 'succeeded' });
    });
  },
);
