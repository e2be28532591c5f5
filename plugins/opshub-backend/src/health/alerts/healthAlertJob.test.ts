import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { migrateUp } from '../../database/migrations';
import { OpsHubNotifier } from '../../notifications/opshubNotifier';
import { SentMessages } from '../../notifications/SentMessages';
import { RecordingNotificationService } from '../../notifications/__testUtils__/RecordingNotificationService';
import { JobPermanentError, JobRetryLaterError } from '../../queue/errors';
import type { Job } from '../../queue/types';
import {
  FAKE_SLACK_TOKEN,
  fakeSlackBot,
  SLACK_POSTED,
  slackRateLimited,
} from '../../slack/__testUtils__/fakeSlackConfig';
import { createTestDatabases } from '../../__testUtils__/databases';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { healthAlertHandler } from './healthAlertJob';
import type { HealthAlertPayload } from './healthAlertJobs';

jest.setTimeout(60_000);

const databases = createTestDatabases();
useConnectionGuard();

const ENTITY = 'component:default/storefront';
const AT = Date.UTC(2026, 11, 1, 12, 5);

const alertOf = (
  overrides: Partial<HealthAlertPayload> = {},
): HealthAlertPayload => ({
  kind: 'alert',
  checkId: '7',
  checkName: 'home',
  entityRef: ENTITY,
  url: 'https://storefront.example.com/healthz',
  state: 'down',
  incidentId: '3',
  since: '2026-12-01T12:00:00.000Z',
  errorClass: 'status',
  statusCode: 503,
  atMs: AT,
  ...overrides,
});

describe.each(databases.eachSupportedId())('health-alert jobs on %s', id => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map(close => close()));
  });

  async function setup(
    options: {
      annotations?: Record<string, string>;
      defaultChannel?: string;
      slack?: boolean;
      notifications?: boolean;
    } = {},
  ) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const fakeSlack = await startFakeSlack();
    closers.push(fakeSlack.close);
    const service = new RecordingNotificationService();
    const slack =
      options.slack === false
        ? undefined
        : fakeSlackBot(fakeSlack.url, options.defaultChannel);
    const handler = healthAlertHandler({
      slack,
      notifier:
        options.notifications === false
          ? undefined
          : new OpsHubNotifier(service),
      sent: new SentMessages(knex),
      annotationsOf: async () => options.annotations,
      appBaseUrl: 'https://backstage.test/',
    });
    const run = (alert = alertOf()) =>
      handler({
        job: {
          id: '1',
          attempts: 1,
          payload: alert,
        } as Job<HealthAlertPayload>,
        signal: new AbortController().signal,
      });
    return { knex, fakeSlack, service, run };
  }

  it("posts to the entity's channel and notifies its owners, each recorded", async () => {
    const { knex, fakeSlack, service, run } = await setup({
      annotations: { 'slack.com/bot-notify': '#storefront-alerts' },
      defaultChannel: '#ops',
    });
    await run();
    expect(fakeSlack.seen).toHaveLength(1);
    const [call] = fakeSlack.seen;
    expect(call.path).toBe('/api/chat.postMessage');
    expect(call.auth).toBe(`Bearer ${FAKE_SLACK_TOKEN}`);
    const tab =
      'https://backstage.test/catalog/default/component/storefront/opshub';
    expect({ ...call.form, blocks: JSON.parse(call.form.blocks) }).toEqual({
      channel: '#storefront-alerts',
      text: `Check "home" of storefront is down: ${tab}`,
      unfurl_links: 'false',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:rotating_light: *Check "home" of storefront is down*: <${tab}|open in OpsHub>\nLast probe: status 503\nSince 2026-12-01 12:00 UTC`,
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'component:default/storefront · https://storefront.example.com/healthz',
            },
          ],
        },
      ],
    });
    expect(service.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: ENTITY },
        payload: {
          title: 'Check "home" of storefront is down',
          description:
            'Last probe: status 503\nSince 2026-12-01 12:00 UTC\nhttps://storefront.example.com/healthz',
          severity: 'critical',
          topic: 'opshub-health',
          scope: 'opshub-health:7:3',
          link: '/catalog/default/component/storefront/opshub',
        },
      },
    ]);
    expect(
      await knex('sent_messages')
        .select('channel', 'subject', 'transition', 'recipient')
        .orderBy('channel'),
    ).toEqual([
      {
        channel: 'notification',
        subject: 'health-check:7',
        transition: 'alert:3@2026-12-01T12:05:00.000Z',
        recipient: ENTITY,
      },
      {
        channel: 'slack',
        subject: 'health-check:7',
        transition: 'alert:3@2026-12-01T12:05:00.000Z',
        recipient: '#storefront-alerts',
      },
    ]);
  });

  it('sends each kind of one incident to Slack as it reads, and under one notification scope with its severity', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    await run(
      alertOf({ state: 'degraded', errorClass: null, statusCode: 200 }),
    );
    await run(alertOf({ kind: 'escalation', atMs: AT + 60_000 }));
    await run(alertOf({ kind: 'reminder', atMs: AT + 4 * 3_600_000 }));
    await run(
      alertOf({
        kind: 'recovery',
        state: 'ok',
        statusCode: 200,
        errorClass: null,
        atMs: AT + 5 * 3_600_000,
      }),
    );
    expect(
      service.sent.map(({ payload }) => [
        payload.title,
        payload.severity,
        payload.scope,
      ]),
    ).toEqual([
      ['Check "home" of storefront is degraded', 'high', 'opshub-health:7:3'],
      [
        'Check "home" of storefront is now down (was degraded)',
        'critical',
        'opshub-health:7:3',
      ],
      [
        'Check "home" of storefront is still down',
        'critical',
        'opshub-health:7:3',
      ],
      ['Check "home" of storefront recovered', 'normal', 'opshub-health:7:3'],
    ]);
    const tab =
      'https://backstage.test/catalog/default/component/storefront/opshub';
    expect(
      fakeSlack.seen.map(({ form }) => [
        form.channel,
        form.text,
        JSON.parse(form.blocks)[0].text.text,
      ]),
    ).toEqual([
      [
        '#ops',
        `Check "home" of storefront is degraded: ${tab}`,
        `:rotating_light: *Check "home" of storefront is degraded*: <${tab}|open in OpsHub>\nLast probe: status 200\nSince 2026-12-01 12:00 UTC`,
      ],
      [
        '#ops',
        `Check "home" of storefront is now down (was degraded): ${tab}`,
        `:rotating_light: *Check "home" of storefront is now down (was degraded)*: <${tab}|open in OpsHub>\nLast probe: status 503\nSince 2026-12-01 12:00 UTC`,
      ],
      [
        '#ops',
        `Check "home" of storefront is still down: ${tab}`,
        `:hourglass: *Check "home" of storefront is still down*: <${tab}|open in OpsHub>\nLast probe: status 503\nSince 2026-12-01 12:00 UTC`,
      ],
      [
        '#ops',
        `Check "home" of storefront recovered: ${tab}`,
        `:white_check_mark: *Check "home" of storefront recovered*: <${tab}|open in OpsHub>\nIncident opened 2026-12-01 12:00 UTC`,
      ],
    ]);
  });

  it('run again (a retry), it sends nothing twice', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    await run();
    await run();
    expect(fakeSlack.seen).toHaveLength(1);
    expect(service.sent).toHaveLength(1);
    // Another decision (a reminder later) is another message.
    await run(alertOf({ kind: 'reminder', atMs: AT + 4 * 3_600_000 }));
    expect(fakeSlack.seen).toHaveLength(2);
    expect(service.sent).toHaveLength(2);
  });

  it('one way failing does not stop the other; the retry sends only what is missing', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    fakeSlack.answer(slackRateLimited(7));
    await expect(run()).rejects.toEqual(
      new JobRetryLaterError('Slack rate limited the message', 7000),
    );
    expect(service.sent).toHaveLength(1);
    fakeSlack.answer(SLACK_POSTED);
    await run();
    expect(fakeSlack.seen).toHaveLength(2);
    expect(service.sent).toHaveLength(1);
  });

  it('a refusal that will never change ends the job only when nothing else is worth a retry', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    fakeSlack.answer({
      status: 200,
      body: { ok: false, error: 'channel_not_found' },
    });
    service.failures.push(new Error('notifications backend unavailable'));
    await expect(run()).rejects.toThrow('notifications backend unavailable');
    // Retried: the notification goes; Slack still refuses, for good.
    await expect(run()).rejects.toEqual(
      new JobPermanentError('Slack refused the message: channel_not_found'),
    );
    expect(service.sent).toHaveLength(1);
  });

  it('without a channel, or without the Slack bot, only the notification goes', async () => {
    for (const options of [{}, { slack: false, defaultChannel: '#ops' }]) {
      const { fakeSlack, service, run } = await setup(options);
      await run();
      expect(fakeSlack.seen).toEqual([]);
      expect(service.sent).toHaveLength(1);
    }
  });

  it('without the notifications service, only Slack gets it', async () => {
    const { knex, fakeSlack, service, run } = await setup({
      defaultChannel: '#ops',
      notifications: false,
    });
    await run();
    expect(fakeSlack.seen).toHaveLength(1);
    expect(service.sent).toEqual([]);
    expect(await knex('sent_messages').pluck('channel')).toEqual(['slack']);
  });
});
