import { JobPermanentError } from '../queue/errors';
import type { OpsHubNotification, OpsHubNotifier } from './opshubNotifier';
import type { SentMessages } from './SentMessages';

/** Backstage notifications are recorded under this channel (SentMessages). */
export const NOTIFICATION_SENT_CHANNEL = 'notification';

/**
 * One way a message goes (Slack, the Backstage bell): sends it and says to
 * whom, or undefined when it had nobody to go to (nothing is recorded).
 */
export interface Delivery {
  /** The `sent_messages` channel it is recorded under. */
  channel: string;
  send(): Promise<string | undefined>;
}

/**
 * A Backstage notification to the owners of its entity, as a Delivery;
 * `notification` is built (or loaded) only when it is sent.
 */
export function notificationDelivery(
  notifier: OpsHubNotifier,
  notification: () => OpsHubNotification | Promise<OpsHubNotification>,
): Delivery {
  return {
    channel: NOTIFICATION_SENT_CHANNEL,
    send: async () => {
      const sent = await notification();
      await notifier.send(sent);
      return sent.entityRef;
    },
  };
}

/**
 * Sends one message each way once: checked in `sent_messages` before,
 * recorded right after (under `subject` and `transition`), so a retried job
 * sends only what has not gone out. One way failing does not keep the
 * others from going; it then throws the error most worth retrying (a
 * JobPermanentError only when every failure is one).
 */
export async function deliverOnce(options: {
  deliveries: Delivery[];
  sent: SentMessages;
  subject: string;
  transition: string;
  signal: AbortSignal;
}): Promise<void> {
  const { sent, subject, transition, signal } = options;
  const errors: unknown[] = [];
  for (const delivery of options.deliveries) {
    const message = { channel: delivery.channel, subject, transition };
    if (await sent.wasSent(message)) continue;
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
    if (recipient) await sent.record(message, { recipient });
  }
  if (errors.length > 0) {
    throw errors.find(e => !(e instanceof JobPermanentError)) ?? errors[0];
  }
}
