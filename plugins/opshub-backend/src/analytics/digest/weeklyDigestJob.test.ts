import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { migrateUp } from '../../database/migrations';
import { OpsHubNotifier } from '../../notifications/opshubNotifier';
import { SentMessages } from '../../notifications/SentMessages';
import { RecordingNotificationService } from '../../notifications/__testUtils__/RecordingNotificationService';
import { JobPermanentError, JobRetryLaterError } from '../../queue/errors';
import type { Job } from '../../queue/types';
import {
  fakeSlackBot,
  SLACK_POSTED,
  slackRateLimited,
} from '../../slack/__testUtils__/fakeSlackConfig';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  DIGEST_ENTITY,
  insertDigestWeek,
  WEEK,
} from './__testUtils__/digestWeek';
import type { WeeklyDigestPayload } from './types';
import { weeklyDigestHandler } from './weeklyDigestJob';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const TAB = 'https://backstage.test/catalog/default/component/shop/opshub';
const CHECKOUT = 'checkout &lt;v2&gt; &amp; co';
/** The fixture week's figures and DORA lines, in the fallback and the bell. */
const FIGURES = [
  'Deploys: 9',
  'Success rate: 44.4%',
  'P95 total time: 5 min',
  'P95 vs previous week: +1 min (+25%)',
  'Top error classes: build (2), configuration (1), quota (1)',
  'DORA ratings, last 4 weeks (2026-11-09 – 2026-12-06):',
  '  Deployment frequency: High',
  '  Lead time for changes: — (no merged pull request deployed)',
  '  Change failure rate: Low',
  '  Failed deployment recovery time: High',
];

describe.each(databases.eachSupportedId())('weekly-digest jobs on %s', id => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map(close => close()));
  });

  async function setup(
    options: {
      annotations?: Record<string, string>;
      defaultChannel?: string;
    } = {},
  ) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    await insertDigestWeek(knex);
    const fakeSlack = await startFakeSlack();
    closers.push(fakeSlack.close);
    const service = new RecordingNotificationService();
    const handler = weeklyDigestHandler({
      knex,
      slack: fakeSlackBot(fakeSlack.url, options.defaultChannel),
      notifier: new OpsHubNotifier(service),
      sent: new SentMessages(knex),
      annotationsOf: async () => options.annotations,
      appBaseUrl: 'https://backstage.test/',
      dora: { incidentStates: ['down'], githubCommitsReadable: true },
    });
    const run = (payload: WeeklyDigestPayload = WEEK) =>
      handler({
        job: { id: '1', attempts: 1, payload } as Job<WeeklyDigestPayload>,
        signal: new AbortController().signal,
      });
    return { knex, fakeSlack, service, run };
  }

  it("posts the digest to the entity's channel as Block Kit with a text fallback, and notifies its owners", async () => {
    const { knex, fakeSlack, service, run } = await setup({
      annotations: { 'slack.com/bot-notify': '#shop-team' },
      defaultChannel: '#ops',
    });
    await run();
    expect(fakeSlack.seen).toHaveLength(1);
    const [call] = fakeSlack.seen;
    expect(call.path).toBe('/api/chat.postMessage');
    expect({ ...call.form, blocks: JSON.parse(call.form.blocks) }).toEqual({
      channel: '#shop-team',
      unfurl_links: 'false',
      text: [
        'Weekly digest: shop, 2026-11-30 – 2026-12-06',
        ...FIGURES,
        'Worst incidents:',
        `  "${CHECKOUT}": down, opened 2026-12-06 20:00 UTC, 13 h, still open`,
        '  "home": down, opened 2026-12-01 12:00 UTC, 2 h 5 min',
        `  "${CHECKOUT}": degraded, opened 2026-11-29 23:00 UTC, 3 h`,
        TAB,
      ].join('\n'),
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Weekly digest: shop' },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: '2026-11-30 – 2026-12-06 (UTC) · component:default/shop',
            },
          ],
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Deploys*\n9' },
            { type: 'mrkdwn', text: '*Success rate*\n44.4%' },
            { type: 'mrkdwn', text: '*P95 total time*\n5 min' },
            { type: 'mrkdwn', text: '*P95 vs previous week*\n+1 min (+25%)' },
            {
              type: 'mrkdwn',
              text: '*Top error classes*\nbuild (2), configuration (1), quota (1)',
            },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              '*DORA ratings, last 4 weeks (2026-11-09 – 2026-12-06)*',
              'Deployment frequency: High',
              'Lead time for changes: — (no merged pull request deployed)',
              'Change failure rate: Low',
              'Failed deployment recovery time: High',
            ].join('\n'),
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              '*Worst incidents*',
              `• *${CHECKOUT}*: down, opened 2026-12-06 20:00 UTC, 13 h, still open`,
              '• *home*: down, opened 2026-12-01 12:00 UTC, 2 h 5 min',
              `• *${CHECKOUT}*: degraded, opened 2026-11-29 23:00 UTC, 3 h`,
            ].join('\n'),
          },
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open in OpsHub' },
              url: TAB,
            },
          ],
        },
      ],
    });
    expect(service.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: DIGEST_ENTITY },
        payload: {
          title: 'Weekly digest: shop, 2026-11-30 – 2026-12-06',
          description: [
            ...FIGURES,
            'Worst incidents:',
            '  "checkout <v2> & co": down, opened 2026-12-06 20:00 UTC, 13 h, still open',
            '  "home": down, opened 2026-12-01 12:00 UTC, 2 h 5 min',
            '  "checkout <v2> & co": degraded, opened 2026-11-29 23:00 UTC, 3 h',
          ].join('\n'),
          severity: 'normal',
          topic: 'opshub-digest',
          scope: 'opshub-digest:component:default/shop:2026-11-30',
          link: '/catalog/default/component/shop/opshub',
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
        subject: 'digest:component:default/shop',
        transition: 'week:2026-11-30',
        recipient: DIGEST_ENTITY,
      },
      {
        channel: 'slack',
        subject: 'digest:component:default/shop',
        transition: 'week:2026-11-30',
        recipient: '#shop-team',
      },
    ]);
  });

  it('run again (a retry, or a restart enqueueing it again), it sends nothing twice; the next week is another digest', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    await run();
    await run();
    expect(fakeSlack.seen).toHaveLength(1);
    expect(service.sent).toHaveLength(1);
    await run({
      ...WEEK,
      runAt: '2026-12-14T09:00:00.000Z',
      from: '2026-12-07',
      to: '2026-12-13',
    });
    expect(fakeSlack.seen).toHaveLength(2);
    expect(service.sent.map(s => s.payload.scope)).toEqual([
      'opshub-digest:component:default/shop:2026-11-30',
      'opshub-digest:component:default/shop:2026-12-07',
    ]);
  });

  it('Slack failing does not stop the notification; the retry sends Slack once and the notification not again', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    fakeSlack.answer(slackRateLimited(30));
    await expect(run()).rejects.toEqual(
      new JobRetryLaterError('Slack rate limited the message', 30_000),
    );
    expect(service.sent).toHaveLength(1);
    fakeSlack.answer(SLACK_POSTED);
    await run();
    await run();
    expect(fakeSlack.seen).toHaveLength(2);
    expect(fakeSlack.seen.map(s => s.form.channel)).toEqual(['#ops', '#ops']);
    expect(service.sent).toHaveLength(1);
  });

  it('an entity without a Slack channel gets the notification only', async () => {
    const { knex, fakeSlack, service, run } = await setup();
    await run();
    expect(fakeSlack.seen).toEqual([]);
    expect(service.sent).toHaveLength(1);
    expect(await knex('sent_messages').pluck('channel')).toEqual([
      'notification',
    ]);
  });

  it('a malformed payload ends the job at once and sends nothing', async () => {
    const { fakeSlack, service, run } = await setup({ defaultChannel: '#ops' });
    await expect(run({ ...WEEK, to: '2026-12-08' })).rejects.toEqual(
      new JobPermanentError(
        "The digest's week 2026-11-30..2026-12-08 is not 7 days",
      ),
    );
    expect(fakeSlack.seen).toEqual([]);
    expect(service.sent).toEqual([]);
  });
});
