import { parseEntityRef } from '@backstage/catalog-model';
import { OPSHUB_NOTIFICATION_TOPICS } from '@opshub/plugin-opshub-common';
import type { KnownBlock } from '@slack/web-api';
import type {
  OpsHubNotification,
  OpsHubNotificationSeverity,
} from '../../notifications/opshubNotifier';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import type { HealthAlertPayload } from './healthAlertJobs';

/**
 * The Backstage notification of a check's incident: its alert, escalation,
 * reminders and recovery replace one another.
 */
export const healthNotificationScope = (payload: HealthAlertPayload) =>
  `${OPSHUB_NOTIFICATION_TOPICS.health}:${payload.checkId}:${
    payload.incidentId ?? 'none'
  }`;

const ICONS = {
  alert: ':rotating_light:',
  escalation: ':rotating_light:',
  reminder: ':hourglass:',
  recovery: ':white_check_mark:',
} as const;

/** What happened, in one line: `Check "home" of storefront is down`. */
export function healthAlertHeadline(payload: HealthAlertPayload): string {
  const { name } = parseEntityRef(payload.entityRef);
  const check = `Check "${payload.checkName}" of ${name}`;
  switch (payload.kind) {
    case 'alert':
      return `${check} is ${payload.state}`;
    case 'escalation':
      return `${check} is now ${payload.state} (was degraded)`;
    case 'reminder':
      return `${check} is still ${payload.state}`;
    default:
      return payload.state === 'ok'
        ? `${check} recovered`
        : `${check} is no longer failing (now ${payload.state})`;
  }
}

/**
 * The last probe: why it failed in words when kept (`status 503 not in
 * 200-299`), else its class and status (`timeout`, `assertion, status 200`).
 */
function lastProbe(payload: HealthAlertPayload): string | null {
  const { errorClass, statusCode, errorMessage } = payload;
  if (errorMessage) return errorMessage;
  const status = statusCode === null ? null : `status ${statusCode}`;
  if (errorClass === null || errorClass === 'status') return status;
  return status ? `${errorClass}, ${status}` : errorClass;
}

/** The facts under the headline, as plain text lines. */
function detailLines(payload: HealthAlertPayload): string[] {
  const lines: string[] = [];
  if (payload.kind !== 'recovery') {
    const probe = lastProbe(payload);
    if (probe) lines.push(`Last probe: ${probe}`);
  }
  if (payload.since) {
    const since = `${payload.since.slice(0, 16).replace('T', ' ')} UTC`;
    lines.push(
      `${payload.kind === 'recovery' ? 'Incident opened' : 'Since'} ${since}`,
    );
  }
  return lines;
}

/**
 * The alert as a Slack message: Block Kit blocks, and the plain text Slack
 * shows in notifications and where blocks cannot be shown. `tabUrl`: the
 * entity's OpsHub tab, when the app's URL is known.
 */
export function healthAlertSlackMessage(
  payload: HealthAlertPayload,
  tabUrl: string | undefined,
): { text: string; blocks: KnownBlock[] } {
  const headline = healthAlertHeadline(payload);
  const link = tabUrl ? `: <${tabUrl}|open in OpsHub>` : '';
  const facts = detailLines(payload).map(escapeMrkdwn);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          `${ICONS[payload.kind]} *${escapeMrkdwn(headline)}*${link}`,
          ...facts,
        ].join('\n'),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${escapeMrkdwn(payload.entityRef)} · ${escapeMrkdwn(
            payload.url,
          )}`,
        },
      ],
    },
  ];
  const text = tabUrl ? `${headline}: ${tabUrl}` : headline;
  return { text, blocks };
}

const SEVERITIES: Record<string, OpsHubNotificationSeverity> = {
  down: 'critical',
  degraded: 'high',
};

/** The alert as a Backstage notification to the entity's owners. */
export function healthAlertNotification(
  payload: HealthAlertPayload,
): OpsHubNotification {
  return {
    entityRef: payload.entityRef,
    topic: OPSHUB_NOTIFICATION_TOPICS.health,
    title: healthAlertHeadline(payload),
    description: [...detailLines(payload), payload.url].join('\n'),
    severity:
      payload.kind === 'recovery'
        ? 'normal'
        : SEVERITIES[payload.state] ?? 'normal',
    scope: healthNotificationScope(payload),
  };
}
