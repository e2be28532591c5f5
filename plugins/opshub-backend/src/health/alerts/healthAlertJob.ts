import type { SentMessages } from '../../notifications/SentMessages';
import {
  type OpsHubNotifier,
  opshubTabPath,
} from '../../notifications/opshubNotifier';
import { JobPermanentError } from '../../queue/errors';
import type { JobHandler } from '../../queue/types';
import {
  SLACK_SENT_CHANNEL,
  type SlackBot,
  slackChannelOf,
  slackJobError,
} from '../../slack/slackClient';
import type { HealthAlertPayload } from './healthAlertJobs';
import {
  healthAlertNotification,
  healthAlertSlackMessage,
} from './healthAlertMessage';

/** Backstage notifications are recorded under this channel (SentMessages). */
export const NOTIFICATION_SENT_CHANNEL = 'notification';

/** One way a message goes: sends it and says to whom, or undefined: to nobody. */
type Delivery = {
  channel: string;
  send(): Promise<string | undefined>;
};

/**
 * health-alert: sends one decided alert, escalation, reminder or recovery
 * to the entity's Slack channel (`slack.com/bot-notify`, else
 * `opshub.slack.defaultChannel`; when the bot is configured) and as a
 * Backstage notification to its owners (when the notifications service is
 * there).
 *
 * Each way is sent once: checked in `sent_messages` before, recorded right
 * after (subject `health-check:<id>`, transition
 * `<kind>:<incident>@<decided at>`), so a retry sends only what has not
 * gone out. One way failing does not keep the other from going; the job
 * then fails with the error most worth retrying.
 */
export function healthAlertHandler(deps: {
  slack?: SlackBot;
  notifier?: OpsHubNotifier;
  sent: SentMessages;
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  /** The Backstage app's URL (`app.baseUrl`), for links in Slack. */
  appBaseUrl?: string;
}): JobHandler<HealthAlertPayload> {
  const { slack, notifier } = deps;
  return async ({ job, signal }) => {
    const alert = job.payload;
    const deliveries: Delivery[] = [];
    if (slack) {
      deliveries.push({
        channel: SLACK_SENT_CHANNEL,
        send: async () => {
          const channel = slackChannelOf(
            await deps.annotationsOf(alert.entityRef),
            slack.defaultChannel,
          );
          if (!channel) return undefined;
          const tabUrl = deps.appBaseUrl
            ? `${deps.appBaseUrl.replace(/\/+$/, '')}${opshubTabPath(
                alert.entityRef,
              )}`
            : undefined;
          try {
            await slack.client.chat.postMessage({
              channel,
              ...healthAlertSlackMessage(alert, tabUrl),
              unfurl_links: false,
            });
          } catch (error) {
            throw slackJobError(error);
          }
          return channel;
        },
      });
    }
    if (notifier) {
      deliveries.push({
        channel: NOTIFICATION_SENT_CHANNEL,
        send: async () => {
          await notifier.send(healthAlertNotification(alert));
          return alert.entityRef;
        },
      });
    }

    const subject = `health-check:${alert.checkId}`;
    const transition = `${alert.kind}:${alert.incidentId ?? 'none'}@${new Date(
      alert.atMs,
    ).toISOString()}`;
    const errors: unknown[] = [];
    for (const delivery of deliveries) {
      const message = { channel: delivery.channel, subject, transition };
      if (await deps.sent.wasSent(message)) continue;
      // Lost the lease meanwhile: whoever runs the job now sends it.
      signal.throwIfAborted();
      let recipient: string | undefined;
      try {
        recipient = await delivery.send();
      } catch (error) {
        errors.push(error);
        continue;
      }
      // Sent: a retry must not send it again. Failing to record it fails
      // the job, and its retry sends this one message once more.
      if (recipient) await deps.sent.record(message, { recipient });
    }
    // A refusal that will never change only ends the job when nothing else
    // is worth another try.
    if (errors.length > 0) {
      throw errors.find(e => !(e instanceof JobPermanentError)) ?? errors[0];
    }
  };
}
