import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { migrateUp } from '../../database/migrations';
import { RecordingNotificationService } from '../../notifications/__testUtils__/RecordingNotificationService';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import { waitFor } from '../../__testUtils__/waitFor';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { setUpHealthAlerts } from './setUpHealthAlerts';

jest.setTimeout(60_000);

const databases = createTestDatabases();
useConnectionGuard();

describe.each(databases.eachSupportedId())('setUpHealthAlerts on %s', id => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('a check going down reaches Slack and the owners through the queue, once', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const slack = await startFakeSlack();
    closers.push(slack.close);
    const jobs = new DatabaseJobStore(knex);
    closers.push(() => jobs.close());
    const queue = new JobQueue(jobs, mockServices.logger.mock(), {
      pollIntervalMs: 50,
    });
    const notifications = new RecordingNotificationService();
    const alerts = setUpHealthAlerts({
      knex,
      rootConfig: new ConfigReader({
        app: { baseUrl: 'https://backstage.test' },
        opshub: { slack: { token: 'xoxb-test', apiUrl: slack.url } },
      }),
      queue,
      notifications,
      annotationsOf: async () => ({ 'slack.com/bot-notify': '#storefront' }),
      inMaintenance: async () => new Set(),
      previewAlerts: false,
      logger: mockServices.logger.mock(),
    });
    queue.start();
    closers.push(() => queue.stop());

    const store = new DatabaseHealthStore(knex);
    const check = await store.createCheck(
      newHealthCheck({ failureThreshold: 1 }),
    );
    const now = Date.now();
    await store.applyProbes([
      {
        checkId: check.id,
        version: check.updatedAt.getTime(),
        result: {
          outcome: 'failure',
          startedAt: new Date(now),
          latencyMs: 10_000,
          statusCode: null,
          errorClass: 'timeout',
          message: null,
        },
      },
    ]);
    expect(await alerts.evaluate(now)).toBe(1);
    expect(await alerts.evaluate(now + 1_000)).toBe(0);
    const job = await waitFor(
      async () => {
        const [row] = await knex('jobs').where({ type: 'health-alert' });
        return row?.state === 'succeeded' && row;
      },
      { what: 'the alert job to succeed' },
    );
    expect(job.max_attempts).toBe(3);
    expect(slack.seen.map(call => [call.form.channel, call.form.text])).toEqual(
      [
        [
          '#storefront',
          'Check "home" of storefront is down: https://backstage.test/catalog/default/component/storefront/opshub',
        ],
      ],
    );
    expect(notifications.sent.map(n => n.payload.title)).toEqual([
      'Check "home" of storefront is down',
    ]);
  });

  it('without Slack or notifications it says at start-up that alerts go nowhere', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const jobs = new DatabaseJobStore(knex);
    closers.push(() => jobs.close());
    const logger = mockServices.logger.mock();
    setUpHealthAlerts({
      knex,
      rootConfig: new ConfigReader({}),
      queue: new JobQueue(jobs, logger),
      annotationsOf: async () => undefined,
      inMaintenance: async () => new Set(),
      previewAlerts: false,
      logger,
    });
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('go nowhere'),
    );
  });
});
