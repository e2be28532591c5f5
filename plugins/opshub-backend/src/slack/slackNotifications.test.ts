import { ConfigReader } from '@backstage/config';
import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { migrateUp } from '../database/migrations';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { slackNotifications } from './slackNotifications';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';

describe.each(databases.eachSupportedId())('Slack notifications on %s', id => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map(close => close()));
  });

  async function setup(options: {
    annotations?: Record<string, string>;
    defaultChannel?: string;
  }) {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const slack = await startFakeSlack();
    closers.push(slack.close);
    const previews = new DatabasePreviewStore(knex);
    const previewId = await seedPreview(knex, {
      entityRef: ENTITY,
      prNumber: 7,
      state: 'ready',
      url: 'https://web-pr-7.preview.test',
      repository: 'acme/web',
      title: 'Add <search>',
      headSha: 'abcdef1234567890abcdef1234567890abcdef12',
    });
    const notifications = slackNotifications(
      new ConfigReader({
        opshub: {
          slack: {
            token: 'xoxb-test',
            apiUrl: slack.url,
            defaultChannel: options.defaultChannel,
          },
        },
      }),
      { knex, previews, annotationsOf: async () => options.annotations },
    )!;
    const send = (event: 'ready' | 'failed' | 'torn-down' = 'ready') =>
      notifications.handler({
        job: { payload: { previewId, event } } as any,
        signal: new AbortController().signal,
      });
    return { slack, send, notifications };
  }

  it("posts Block Kit with a text fallback to the entity's channel", async () => {
    const { slack, send, notifications } = await setup({
      annotations: { 'slack.com/bot-notify': '#web-deploys' },
      defaultChannel: '#previews',
    });
    expect(notifications.maxAttempts).toBe(3);
    await send('ready');
    expect(slack.seen).toHaveLength(1);
    const [call] = slack.seen;
    expect(call.path).toBe('/api/chat.postMessage');
    expect(call.auth).toBe('Bearer xoxb-test');
    expect(call.form.channel).toBe('#web-deploys');
    expect(call.form.text).toBe(
      'Preview of web #7 is ready: https://web-pr-7.preview.test',
    );
    const blocks = JSON.parse(call.form.blocks);
    expect(blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':white_check_mark: *Preview of web #7 is ready*: <https://web-pr-7.preview.test|open the preview>\n_Add &lt;search&gt;_',
      },
    });
    expect(blocks[1].elements[0].text).toBe(
      'acme/web · `change-7` · abcdef1 · octocat',
    );
  });

  it('falls back to the default channel, and stays quiet without one', async () => {
    const withDefault = await setup({ defaultChannel: '#previews' });
    await withDefault.send('torn-down');
    expect(withDefault.slack.seen.map(c => c.form.channel)).toEqual([
      '#previews',
    ]);
    expect(withDefault.slack.seen[0].form.text).toBe(
      'Preview of web #7 was torn down',
    );

    const without = await setup({});
    await without.send('ready');
    expect(without.slack.seen).toEqual([]);
  });

  it("turns Slack's refusals into the queue's retry decisions", async () => {
    const { slack, send } = await setup({ defaultChannel: '#previews' });
    slack.answer({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { ok: false, error: 'ratelimited' },
    });
    await expect(send()).rejects.toEqual(
      new JobRetryLaterError('Slack rate limited the message', 7000),
    );
    slack.answer({
      status: 200,
      body: { ok: false, error: 'channel_not_found' },
    });
    await expect(send()).rejects.toBeInstanceOf(JobPermanentError);
    slack.answer({ status: 500, body: { ok: false } });
    await expect(send()).rejects.toThrow();
    // One request each: the client itself never retries.
    expect(slack.seen).toHaveLength(3);
  });
});

describe('slackNotifications', () => {
  it('is off without a token', () => {
    expect(slackNotifications(new ConfigReader({}), {} as any)).toBeUndefined();
  });
});
