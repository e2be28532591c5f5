import {
  type Delivery,
  deliverOnce,
  notificationDelivery,
} from '../../notifications/deliverOnce';
import {
  type OpsHubNotifier,
  opshubTabUrl,
} from '../../notifications/opshubNotifier';
import type { SentMessages } from '../../notifications/SentMessages';
import type { JobHandler } from '../../queue/types';
import { entitySlackDelivery, type SlackBot } from '../../slack/slackClient';
import type { HealthAlertPayload } from './healthAlertJobs';
import {
  healthAlertNotification,
  healthAlertSlackMessage,
} from './healthAlertMessage';

/**
 * health-alert: sends one decided alert, escalation, reminder or recovery
 * to the entity's Slack channel (`slack.com/bot-notify`, else
 * `opshub.slack.defaultChannel`; when the bot is configured) and as a
 * Backstage notification to its owners (when the notifications service is
 * there).
 *
 * Each way is sent once (deliverOnce: subject `health-check:<id>`,
 * transition `<kind>:<incident>@<decided at>`), so a retry sends only what
 * has not gone out. One way failing does not keep the other from going;
 * the job then fails with the error most worth retrying.
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
      deliveries.push(
        entitySlackDelivery(slack, {
          entityRef: alert.entityRef,
          annotationsOf: deps.annotationsOf,
          message: () =>
            healthAlertSlackMessage(
              alert,
              opshubTabUrl(deps.appBaseUrl, alert.entityRef),
            ),
        }),
      );
    }
    if (notifier) {
      deliveries.push(
        notificationDelivery(notifier, () => healthAlertNotification(alert)),
      );
    }
    await deliverOnce({
      deliveries,
      sent: deps.sent,
      subject: `health-check:${alert.checkId}`,
      transition: `${alert.kind}:${alert.incidentId ?? 'none'}@${new Date(
        alert.atMs,
      ).toISOString()}`,
      signal,
    });
  };
}
