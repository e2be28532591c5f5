import type { Config } from '@backstage/config';
import type { WebClient } from '@slack/web-api';
import type { Knex } from 'knex';
import { SentMessages } from '../notifications/SentMessages';
import { slackGroup } from '../previews/previewJobGroups';
import type { PreviewEvent } from '../previews/previewJobHandlers';
import type { PreviewStore } from '../previews/PreviewStore';
import type { JobHandler } from '../queue/types';
import type { JobQueue } from '../queue/JobQueue';
import { previewMessage } from './previewMessage';
import {
  SLACK_MAX_ATTEMPTS,
  SLACK_SENT_CHANNEL,
  slackBotFromConfig,
  slackChannelOf,
  slackJobError,
} from './slackClient';

export const SLACK_NOTIFY = 'slack-notify';

export interface SlackNotifyPayload {
  [key: string]: unknown;
  previewId: string;
  event: PreviewEvent;
  /**
   * The preview's change this message tells of, unique per preview (e.g.
   * `ready#3` for its third build, `stuck@<ISO time>` from the watchdog):
   * one message per transition. Jobs queued before it existed lack it;
   * their job id stands in.
   */
  transition?: string;
}

/**
 * slack-notify: tells the entity's channel (`slack.com/bot-notify`, else
 * `opshub.slack.defaultChannel`) that a preview is ready, failed or was torn
 * down. Its own job, so a Slack failure never fails a preview: it is tried
 * a few times (honouring Slack's Retry-After) and then given up.
 *
 * One message per transition: a message already recorded in `sent_messages`
 * is not sent again, and a sent one is recorded right after Slack accepts
 * it. A transition of a build the preview has moved past (`ready#3` once
 * build 4 is queued) is not told: its message would describe build 4, whose
 * own transitions are told. A crash (or lost lease, or database failure) between Slack's answer
 * and the record runs the job again and repeats that one message: at least
 * once, with at most one repeat per such failure. The preview's Slack jobs
 * share an exclusion group, so two of them never send at the same time.
 */
export function slackNotifyHandler(deps: {
  client: WebClient;
  previews: PreviewStore;
  sent: SentMessages;
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  defaultChannel?: string;
}): JobHandler<SlackNotifyPayload> {
  return async ({ job, signal }) => {
    const preview = await deps.previews.get(job.payload.previewId);
    if (!preview) return;
    // The message describes the preview as it is now: of a build it has
    // moved past (a push queued a newer one before this job ran), it would
    // tell of the newer build, which is announced on its own.
    const build = buildOf(job.payload.transition);
    if (build !== undefined && build !== preview.buildNumber) return;
    const channel = slackChannelOf(
      await deps.annotationsOf(preview.entityRef),
      deps.defaultChannel,
    );
    if (!channel) return;
    const message = {
      channel: SLACK_SENT_CHANNEL,
      subject: `preview:${preview.id}`,
      transition: job.payload.transition ?? `job:${job.id}`,
    };
    if (await deps.sent.wasSent(message)) return;
    // Lost the lease meanwhile: whoever runs the job now sends it.
    signal.throwIfAborted();
    try {
      await deps.client.chat.postMessage({
        channel,
        ...previewMessage(preview, job.payload.event),
        unfurl_links: false,
      });
    } catch (error) {
      throw slackJobError(error);
    }
    // Sent: from here on a retry must not send it again. Failing to record
    // it fails the job, and its retry sends the message once more.
    await deps.sent.record(message, { recipient: channel });
  };
}

/** The build a transition names (`ready#3`: 3), if it names one. */
function buildOf(transition: string | undefined): number | undefined {
  const match = /#(\d+)$/.exec(transition ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Slack notifications of previews, when `opshub.slack.token` is set;
 * undefined otherwise.
 */
export function slackNotifications(
  config: Config,
  deps: {
    knex: Knex;
    previews: PreviewStore;
    annotationsOf(
      entityRef: string,
    ): Promise<Record<string, string> | undefined>;
  },
) {
  const bot = slackBotFromConfig(config);
  if (!bot) return undefined;
  return {
    type: SLACK_NOTIFY,
    maxAttempts: SLACK_MAX_ATTEMPTS,
    handler: slackNotifyHandler({
      client: bot.client,
      previews: deps.previews,
      sent: new SentMessages(deps.knex),
      annotationsOf: deps.annotationsOf,
      defaultChannel: bot.defaultChannel,
    }),
    /**
     * Queues the message of one transition of a preview; queueing it again
     * (a repeated lifecycle job) coalesces with the waiting job, or finds
     * the message recorded as sent.
     */
    enqueue: (
      queue: JobQueue,
      previewId: string,
      event: PreviewEvent,
      transition: string,
    ) =>
      queue
        .enqueue(deps.knex, {
          type: SLACK_NOTIFY,
          key: `${SLACK_NOTIFY}:${previewId}:${transition}`,
          group: slackGroup(previewId),
          payload: {
            previewId,
            event,
            transition,
          } satisfies SlackNotifyPayload,
        })
        .then(() => undefined),
  };
}
