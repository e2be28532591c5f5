import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import { OpsHubNotifier } from '../../notifications/opshubNotifier';
import { SentMessages } from '../../notifications/SentMessages';
import { cachedEntityAnnotations } from '../../projects/entityAnnotations';
import type { JobQueue } from '../../queue/JobQueue';
import {
  SLACK_MAX_ATTEMPTS,
  slackBotFromConfig,
} from '../../slack/slackClient';
import type { DoraOptions } from '../dora/types';
import { WEEKLY_DIGEST_JOB, type WeeklyDigestPayload } from './types';
import { weeklyDigestHandler } from './weeklyDigestJob';

/** Digest jobs running at once per instance (each reads a few queries). */
const DIGEST_CONCURRENCY = 2;

/**
 * The weekly-digest job on `queue`: Slack when `opshub.slack.token` is
 * set, Backstage notifications when the service is given; Slack's short
 * retry policy (SLACK_MAX_ATTEMPTS).
 */
export function registerWeeklyDigestJob(
  queue: JobQueue,
  deps: {
    knex: Knex;
    rootConfig: Config;
    notifications?: NotificationService;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    /** `opshub.analytics.incidentStates` and the GitHub credentials. */
    dora: DoraOptions;
  },
): void {
  const slack = slackBotFromConfig(deps.rootConfig);
  if (!slack && !deps.notifications) {
    deps.logger.info(
      'Weekly digests go nowhere: set opshub.slack.token or install the notifications backend',
    );
  }
  queue.register<WeeklyDigestPayload>(
    WEEKLY_DIGEST_JOB,
    weeklyDigestHandler({
      knex: deps.knex,
      slack,
      notifier: deps.notifications
        ? new OpsHubNotifier(deps.notifications)
        : undefined,
      sent: new SentMessages(deps.knex),
      annotationsOf: cachedEntityAnnotations(deps),
      appBaseUrl: deps.rootConfig.getOptionalString('app.baseUrl'),
      dora: deps.dora,
    }),
    { concurrency: DIGEST_CONCURRENCY, maxAttempts: SLACK_MAX_ATTEMPTS },
  );
}
