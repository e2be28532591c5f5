import type { Config } from '@backstage/config';
import {
  LogLevel,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import type { Knex } from 'knex';
import type { PreviewEvent } from '../previews/previewJobHandlers';
import type { PreviewStore } from '../previews/PreviewStore';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import type { JobHandler } from '../queue/types';
import type { JobQueue } from '../queue/JobQueue';
import { previewMessage } from './previewMessage';

export const SLACK_NOTIFY = 'slack-notify';
/** The entity annotation naming its Slack channel. */
export const SLACK_CHANNEL_ANNOTATION = 'slack.com/bot-notify';
/** A short retry policy: Slack messages are worth little once late. */
const SLACK_MAX_ATTEMPTS = 3;

export interface SlackNotifyPayload {
  [key: string]: unknown;
  previewId: string;
  event: PreviewEvent;
}

/**
 * slack-notify: tells the entity's channel (`slack.com/bot-notify`, else
 * `opshub.slack.defaultChannel`) that a preview is ready, failed or was torn
 * down. Its own job, so a Slack failure never fails a preview: it is tried
 * a few times (honouring Slack's Retry-After) and then given up.
 */
export function slackNotifyHandler(deps: {
  client: WebClient;
  previews: PreviewStore;
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  defaultChannel?: string;
}): JobHandler<SlackNotifyPayload> {
  return async ({ job }) => {
    const preview = await deps.previews.get(job.payload.previewId);
    if (!preview) return;
    const annotations = (await deps.annotationsOf(preview.entityRef)) ?? {};
    const channel =
      annotations[SLACK_CHANNEL_ANNOTATION]?.trim() || deps.defaultChannel;
    if (!channel) return;
    try {
      await deps.client.chat.postMessage({
        channel,
        ...previewMessage(preview, job.payload.event),
        unfurl_links: false,
      });
    } catch (error) {
      throw asJobError(error);
    }
  };
}

function asJobError(error: unknown): unknown {
  if (error instanceof WebAPIRateLimitedError) {
    return new JobRetryLaterError(
      'Slack rate limited the message',
      error.retryAfter * 1000,
    );
  }
  if (error instanceof WebAPIPlatformError) {
    // Slack refused it (channel_not_found, not_in_channel, invalid_auth…):
    // sending it again changes nothing.
    return new JobPermanentError(
      `Slack refused the message: ${error.data.error}`,
    );
  }
  return error; // HTTP and network errors: retried
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
  const slack = config.getOptionalConfig('opshub.slack');
  const token = slack?.getOptionalString('token');
  if (!token) return undefined;
  const client = new WebClient(token, {
    slackApiUrl: slack?.getOptionalString('apiUrl'),
    timeout: 10_000,
    // The job queue retries, with the backoff and attempts of this job type.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
  return {
    type: SLACK_NOTIFY,
    maxAttempts: SLACK_MAX_ATTEMPTS,
    handler: slackNotifyHandler({
      client,
      previews: deps.previews,
      annotationsOf: deps.annotationsOf,
      defaultChannel: slack?.getOptionalString('defaultChannel'),
    }),
    enqueue: (queue: JobQueue, previewId: string, event: PreviewEvent) =>
      queue
        .enqueue(deps.knex, {
          type: SLACK_NOTIFY,
          payload: { previewId, event } satisfies SlackNotifyPayload,
        })
        .then(() => undefined),
  };
}
