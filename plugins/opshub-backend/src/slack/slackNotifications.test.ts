import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import { WebClient } from '@slack/web-api';
import { migrateUp } from '../database/migrations';
import {
  type SentMessageKey,
  SentMessages,
} from '../notifications/SentMessages';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import { JobQueue } from '../queue/JobQueue';
import type { Job } from '../queue/types';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { waitFor } from '../__testUtils__/waitFor';
import {
  type SlackNotifyPayload,
  slackNotifications,
  slackNotifyHandler,
} from './slackNotifications';

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
    const send = (
      event: 'ready' | 'failed' | 'torn-down' = 'ready',
      transition = `${event}#1`,
    ) =>
      notifications.handler({
        job: jobOf({ previewId, event, transition }),
        signal: new AbortController().signal,
      });
    return { knex, slack, send, notifications, previews, previewId };
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
    // None was sent, so none is recorded: the next try sends.
    slack.answer({ status: 200, body: { ok: true, channel: 'C1', ts: '1' } });
    await send();
    expect(slack.seen).toHaveLength(4);
  });

  it('sends one message per transition: run again, it sends nothing', async () => {
    const { knex, slack, send, previewId } = await setup({
      defaultChannel: '#previews',
    });
    await send('ready', 'ready#1');
    // The same job again (a retry whose success was not recorded, or the
    // lifecycle telling of the same change twice): nothing more is posted.
    await send('ready', 'ready#1');
    expect(slack.seen).toHaveLength(1);
    expect(
      await knex('sent_messages').select(
        'channel',
        'subject',
        'transition',
        'recipient',
      ),
    ).toEqual([
      {
        channel: 'slack',
        subject: `preview:${previewId}`,
        transition: 'ready#1',
        recipient: '#previews',
      },
    ]);
    // Another change of the preview is another message, also once.
    await send('failed', 'failed#1');
    await send('failed', 'failed#1');
    // The same event of another build is a transition of its own.
    await knex('previews').where({ id: previewId }).update({ build_number: 2 });
    await send('ready', 'ready#2');
    expect(slack.seen.map(call => call.form.text)).toEqual([
      'Preview of web #7 is ready: https://web-pr-7.preview.test',
      'Preview of web #7 failed (unknown)',
      'Preview of web #7 is ready: https://web-pr-7.preview.test',
    ]);
  });

  it('says nothing of a build the preview has moved past', async () => {
    const { knex, slack, send, previewId } = await setup({
      defaultChannel: '#previews',
    });
    // Build 1 became ready, then a push queued build 2 of a newer head
    // before build 1's message went out; build 2 is ready by now too.
    await knex('previews')
      .where({ id: previewId })
      .update({ build_number: 2, head_sha: 'b'.repeat(40) });
    await send('ready', 'ready#1');
    await send('failed', 'failed#1');
    await send('torn-down', 'torn-down#1');
    // A message about build 1 would describe build 2 (its head, its URL),
    // which gets its own: the team would hear the same news twice.
    expect(slack.seen).toEqual([]);
    await send('ready', 'ready#2');
    // Transitions naming no build (the watchdog's) are always told.
    await send('failed', `stuck@${new Date(0).toISOString()}`);
    expect(slack.seen.map(call => call.form.text)).toEqual([
      'Preview of web #7 is ready: https://web-pr-7.preview.test',
      'Preview of web #7 failed (unknown)',
    ]);
    expect(
      (await knex('sent_messages').select('transition')).map(
        row => row.transition,
      ),
    ).toEqual(['ready#2', `stuck@${new Date(0).toISOString()}`]);
  });

  it('retried by the queue after it sent, the job does not send again', async () => {
    const { knex, slack, notifications, previewId } = await setup({
      defaultChannel: '#previews',
    });
    const store = new DatabaseJobStore(knex);
    const queue = new JobQueue(store, mockServices.logger.mock(), {
      pollIntervalMs: 50,
      backoff: { baseMs: 1, capMs: 1 },
    });
    closers.push(() => store.close());
    closers.push(() => queue.stop());
    // The first attempt fails after its message went out (as when the
    // instance loses the job's lease, or the job's success is not recorded).
    queue.register<SlackNotifyPayload>(
      notifications.type,
      async context => {
        await notifications.handler(context);
        if (context.job.attempts === 1) throw new Error('lost after sending');
      },
      { maxAttempts: notifications.maxAttempts },
    );
    queue.start();
    await notifications.enqueue(queue, previewId, 'ready', 'ready#1');
    const job = await waitFor(
      async () => {
        const [row] = await knex('jobs').where({ type: 'slack-notify' });
        return row?.state === 'succeeded' && row;
      },
      { what: 'the Slack job to succeed' },
    );
    expect(job.attempts).toBe(2);
    expect(slack.seen).toHaveLength(1);
  });

  it("queues one job per transition, in the preview's Slack group", async () => {
    const { knex, notifications, previewId } = await setup({
      defaultChannel: '#previews',
    });
    const store = new DatabaseJobStore(knex);
    closers.push(() => store.close());
    const queue = new JobQueue(store, mockServices.logger.mock());
    const at = 'stuck@2026-12-01T10:00:00.000Z';
    await notifications.enqueue(queue, previewId, 'failed', at);
    await notifications.enqueue(queue, previewId, 'failed', at);
    await notifications.enqueue(queue, previewId, 'torn-down', 'torn-down#1');
    const jobs = await knex('jobs').orderBy('id');
    expect(
      jobs.map(row => ({
        key: row.key,
        group: row.exclusion_group,
        payload: JSON.parse(row.payload),
      })),
    ).toEqual([
      {
        key: `slack-notify:${previewId}:${at}`,
        group: `slack:${previewId}`,
        payload: { previewId, event: 'failed', transition: at },
      },
      {
        key: `slack-notify:${previewId}:torn-down#1`,
        group: `slack:${previewId}`,
        payload: {
          previewId,
          event: 'torn-down',
          transition: 'torn-down#1',
        },
      },
    ]);
  });

  it('repeats a message once when recording it fails after the send', async () => {
    const { knex, slack, previews, previewId } = await setup({});
    const client = new WebClient('xoxb-test', {
      slackApiUrl: slack.url,
      retryConfig: { retries: 0 },
    });
    // The database fails just after Slack took the first message.
    class FailingOnce extends SentMessages {
      failures = 1;
      async record(key: SentMessageKey, details?: { recipient?: string }) {
        if (this.failures-- > 0) throw new Error('database unreachable');
        return super.record(key, details);
      }
    }
    const handler = slackNotifyHandler({
      client,
      previews,
      sent: new FailingOnce(knex),
      annotationsOf: async () => undefined,
      defaultChannel: '#previews',
    });
    const run = () =>
      handler({
        job: jobOf({
          previewId,
          event: 'ready',
          transition: 'ready#1',
        }),
        signal: new AbortController().signal,
      });
    await expect(run()).rejects.toThrow('database unreachable');
    await run(); // the retry sends it again (at least once) and records it
    await run(); // from then on nothing is sent
    expect(slack.seen).toHaveLength(2);
  });
});

function jobOf(payload: SlackNotifyPayload): Job<SlackNotifyPayload> {
  return {
    id: '1',
    attempts: 1,
    maxAttempts: 3,
    payload,
  } as Job<SlackNotifyPayload>;
}

describe('slackNotifications', () => {
  it('is off without a token', () => {
    expect(slackNotifications(new ConfigReader({}), {} as any)).toBeUndefined();
  });
});
