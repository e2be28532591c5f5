import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import { OpsHubNotifier } from '../../notifications/opshubNotifier';
import { SentMessages } from '../../notifications/SentMessages';
import type { JobQueue } from '../../queue/JobQueue';
import {
  SLACK_MAX_ATTEMPTS,
  slackBotFromConfig,
} from '../../slack/slackClient';
import { evaluateDueAlerts, type InMaintenance } from './evaluateDueAlerts';
import { healthAlertHandler } from './healthAlertJob';
import { HEALTH_ALERT_JOB, type HealthAlertPayload } from './healthAlertJobs';

/** Alert jobs running at once per instance (they wait on Slack and HTTP). */
const ALERT_CONCURRENCY = 4;

/**
 * Health alerts' wiring: registers the health-alert job on `queue` (Slack
 * when `opshub.slack.token` is set, Backstage notifications when the
 * service is given) and returns `evaluate`, which decides the due alerts
 * and queues their jobs (the health schedule task calls it each run).
 */
export function setUpHealthAlerts(deps: {
  knex: Knex;
  rootConfig: Config;
  queue: JobQueue;
  notifications?: NotificationService;
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  inMaintenance: InMaintenance;
  /** `opshub.health.previews.alert`. */
  previewAlerts: boolean;
  logger: LoggerService;
}): { evaluate(nowMs: number): Promise<number> } {
  const { knex, queue } = deps;
  const slack = slackBotFromConfig(deps.rootConfig);
  if (!slack && !deps.notifications) {
    deps.logger.info(
      'Health alerts are decided but go nowhere: set opshub.slack.token or install the notifications backend',
    );
  }
  queue.register<HealthAlertPayload>(
    HEALTH_ALERT_JOB,
    healthAlertHandler({
      slack,
      notifier: deps.notifications
        ? new OpsHubNotifier(deps.notifications)
        : undefined,
      sent: new SentMessages(knex),
      annotationsOf: deps.annotationsOf,
      appBaseUrl: deps.rootConfig.getOptionalString('app.baseUrl'),
    }),
    { concurrency: ALERT_CONCURRENCY, maxAttempts: SLACK_MAX_ATTEMPTS },
  );
  return {
    evaluate: nowMs =>
      evaluateDueAlerts({
        knex,
        queue,
        inMaintenance: deps.inMaintenance,
        previewAlerts: deps.previewAlerts,
        nowMs,
      }),
  };
}
