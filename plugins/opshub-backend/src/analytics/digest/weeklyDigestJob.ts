import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
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
import { JobPermanentError } from '../../queue/errors';
import type { JobHandler } from '../../queue/types';
import { entitySlackDelivery, type SlackBot } from '../../slack/slackClient';
import type { DoraOptions } from '../dora/types';
import {
  digestSubject,
  digestTransition,
  type WeeklyDigestPayload,
} from './types';
import {
  loadWeeklyDigest,
  parseWeeklyDigestPayload,
  type WeeklyDigest,
} from './weeklyDigest';
import {
  weeklyDigestNotification,
  weeklyDigestSlackMessage,
} from './weeklyDigestMessage';

/** The payload, or a permanent failure: a malformed one never gets better. */
function checkedPayload(payload: unknown): WeeklyDigestPayload {
  try {
    return parseWeeklyDigestPayload(payload);
  } catch (error) {
    if (error instanceof InputError) throw new JobPermanentError(error.message);
    throw error;
  }
}

/**
 * weekly-digest: sends one entity its digest of one week, to its Slack
 * channel (`slack.com/bot-notify`, else `opshub.slack.defaultChannel`;
 * when the bot is configured) and as a Backstage notification to its
 * owners (topic `opshub-digest`; when the notifications service is there).
 *
 * Each way is sent once per entity and week (deliverOnce: subject
 * `digest:<entity>`, transition `week:<from>`): a retried or repeated job
 * sends only what has not gone out, and one way failing does not keep the
 * other from going. The digest is loaded once, when a way still has it to
 * send.
 */
export function weeklyDigestHandler(deps: {
  knex: Knex;
  slack?: SlackBot;
  notifier?: OpsHubNotifier;
  sent: SentMessages;
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  /** The Backstage app's URL (`app.baseUrl`), for the link in Slack. */
  appBaseUrl?: string;
  dora: DoraOptions;
}): JobHandler<WeeklyDigestPayload> {
  const { slack, notifier } = deps;
  return async ({ job, signal }) => {
    const payload = checkedPayload(job.payload);
    const { entityRef } = payload;
    let loading: Promise<WeeklyDigest> | undefined;
    const digest = () => {
      loading ??= loadWeeklyDigest(deps.knex, payload, { dora: deps.dora });
      return loading;
    };
    const deliveries: Delivery[] = [];
    if (slack) {
      deliveries.push(
        entitySlackDelivery(slack, {
          entityRef,
          annotationsOf: deps.annotationsOf,
          message: async () =>
            weeklyDigestSlackMessage(
              await digest(),
              opshubTabUrl(deps.appBaseUrl, entityRef),
            ),
        }),
      );
    }
    if (notifier) {
      deliveries.push(
        notificationDelivery(notifier, async () =>
          weeklyDigestNotification(await digest()),
        ),
      );
    }
    await deliverOnce({
      deliveries,
      sent: deps.sent,
      subject: digestSubject(entityRef),
      transition: digestTransition(payload.from),
      signal,
    });
  };
}
