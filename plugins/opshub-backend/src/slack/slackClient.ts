import type { Config } from '@backstage/config';
import {
  type KnownBlock,
  LogLevel,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import {
  fetchWithTimeout,
  readCallTimeoutMs,
} from '@opshub/plugin-opshub-node';
import type { Delivery } from '../notifications/deliverOnce';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';

/** The entity annotation naming its Slack channel. */
export const SLACK_CHANNEL_ANNOTATION = 'slack.com/bot-notify';
/**
 * Attempts of a Slack message's job, a short retry policy: Slack messages
 * are worth little once late.
 */
export const SLACK_MAX_ATTEMPTS = 3;
/** Sent messages are recorded under this channel (see SentMessages). */
export const SLACK_SENT_CHANNEL = 'slack';

/** OpsHub's Slack bot: its client and the channel of entities that name none. */
export interface SlackBot {
  client: WebClient;
  defaultChannel?: string;
}

/**
 * The Slack bot of `opshub.slack`, when its token is set; undefined
 * otherwise. The client never retries on its own: the job queue retries,
 * with the backoff and attempts of the job type (SLACK_MAX_ATTEMPTS). Each
 * call, answer and body, is bounded by `opshub.queue.callTimeout` (through
 * the client's own `fetch` option): past it, it fails as `timeout`.
 */
export function slackBotFromConfig(config: Config): SlackBot | undefined {
  const slack = config.getOptionalConfig('opshub.slack');
  const token = slack?.getOptionalString('token');
  if (!token) return undefined;
  return {
    client: new WebClient(token, {
      slackApiUrl: slack?.getOptionalString('apiUrl'),
      fetch: fetchWithTimeout(readCallTimeoutMs(config), 'Slack'),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    }),
    defaultChannel: slack?.getOptionalString('defaultChannel'),
  };
}

/**
 * The channel of an entity: its `slack.com/bot-notify` annotation, else the
 * default channel; undefined when neither names one (nothing is sent).
 */
export function slackChannelOf(
  annotations: Record<string, string> | undefined,
  defaultChannel: string | undefined,
): string | undefined {
  return annotations?.[SLACK_CHANNEL_ANNOTATION]?.trim() || defaultChannel;
}

/** A failed Slack call as the job queue's retry decision. */
export function slackJobError(error: unknown): unknown {
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
 * A message to an entity's channel as a Delivery: sent when the entity (or
 * the default) names a channel, its failure mapped by slackJobError.
 * `message` is built (or loaded) only when it is sent.
 */
export function entitySlackDelivery(
  slack: SlackBot,
  options: {
    entityRef: string;
    annotationsOf(
      entityRef: string,
    ): Promise<Record<string, string> | undefined>;
    message():
      | { text: string; blocks: KnownBlock[] }
      | Promise<{ text: string; blocks: KnownBlock[] }>;
  },
): Delivery {
  return {
    channel: SLACK_SENT_CHANNEL,
    send: async () => {
      const channel = slackChannelOf(
        await options.annotationsOf(options.entityRef),
        slack.defaultChannel,
      );
      if (!channel) return undefined;
      try {
        await slack.client.chat.postMessage({
          channel,
          ...(await options.message()),
          unfurl_links: false,
        });
      } catch (error) {
        throw slackJobError(error);
      }
      return channel;
    },
  };
}
