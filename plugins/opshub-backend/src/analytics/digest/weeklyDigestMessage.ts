import { parseEntityRef } from '@backstage/catalog-model';
import {
  OPSHUB_NOTIFICATION_TOPICS,
  type OpsHubDoraMetrics,
  type OpsHubDoraRating,
  type OpsHubDoraUnavailableReason,
} from '@opshub/plugin-opshub-common';
import type { KnownBlock } from '@slack/web-api';
import type { OpsHubNotification } from '../../notifications/opshubNotifier';
import { escapeMrkdwn } from '../../slack/mrkdwn';
import type { WeeklyDigest } from './weeklyDigest';

/** Slack's limit on a header's text; names are cut well before it. */
const MAX_NAME_CHARS = 120;
/** health_checks.name is at most this long; cut here for older rows too. */
const MAX_CHECK_NAME_CHARS = 100;

const DORA_LABELS: Record<keyof OpsHubDoraMetrics, string> = {
  deploymentFrequency: 'Deployment frequency',
  leadTimeForChanges: 'Lead time for changes',
  changeFailureRate: 'Change failure rate',
  recoveryTime: 'Failed deployment recovery time',
};

const DORA_REASONS: Record<OpsHubDoraUnavailableReason, string> = {
  'no-deploys': 'no production deploys',
  'no-deployed-changes': 'no merged pull request deployed',
  'no-github-credentials': 'no GitHub credentials to read commits',
  'no-recovered-incidents': 'no recovered incidents',
};

const RATINGS: Record<OpsHubDoraRating, string> = {
  elite: 'Elite',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

const NONE = '—';

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A duration in words: `850 ms`, `42 s`, `4 min 12 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A ratio as a percentage with at most one decimal: `83.3%`. */
const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/** The P95's change against the previous week: `+1 min 2 s (+32.5%)`, `—`. */
export function p95Change({
  week,
  previousWeek,
}: WeeklyDigest['totalTimeP95Ms']): string {
  if (week === null || previousWeek === null) return NONE;
  const delta = week - previousWeek;
  if (delta === 0) return 'no change';
  const sign = delta > 0 ? '+' : '−';
  const absolute = `${sign}${formatDuration(Math.abs(delta))}`;
  if (previousWeek === 0) return absolute;
  return `${absolute} (${sign}${percent(Math.abs(delta) / previousWeek)})`;
}

const entityName = (entityRef: string) =>
  cut(parseEntityRef(entityRef).name, MAX_NAME_CHARS);

/** `Weekly digest: shop, 2026-11-30 – 2026-12-06`. */
export const weeklyDigestTitle = (digest: WeeklyDigest) =>
  `Weekly digest: ${entityName(digest.entityRef)}, ${digest.from} – ${
    digest.to
  }`;

/** The week's figures as label and value, plain text. */
function figures(digest: WeeklyDigest): [string, string][] {
  const { successRate, totalTimeP95Ms, topErrorClasses } = digest;
  return [
    ['Deploys', String(digest.deploys)],
    ['Success rate', successRate === null ? NONE : percent(successRate)],
    [
      'P95 total time',
      totalTimeP95Ms.week === null ? NONE : formatDuration(totalTimeP95Ms.week),
    ],
    ['P95 vs previous week', p95Change(totalTimeP95Ms)],
    [
      'Top error classes',
      topErrorClasses.length === 0
        ? 'none'
        : topErrorClasses.map(c => `${c.class} (${c.count})`).join(', '),
    ],
  ];
}

const doraHeading = ({ dora }: WeeklyDigest) =>
  `DORA ratings, last 4 weeks (${dora.window.from} – ${dora.window.to})`;

function doraLines({ dora }: WeeklyDigest): string[] {
  return (Object.keys(DORA_LABELS) as (keyof OpsHubDoraMetrics)[]).map(key => {
    const { rating, reason } = dora.keys[key];
    const none = reason ? `${NONE} (${DORA_REASONS[reason]})` : NONE;
    const value = rating ? RATINGS[rating] : none;
    return `${DORA_LABELS[key]}: ${value}`;
  });
}

const utcMinute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Each worst incident in one line; the check's name is the caller's to render. */
function incidentLines(
  digest: WeeklyDigest,
  checkName: (name: string) => string,
): string[] {
  return digest.worstIncidents.map(
    i =>
      `${checkName(cut(i.checkName, MAX_CHECK_NAME_CHARS))}: ${
        i.state
      }, opened ${utcMinute(i.openedAt)}, ${formatDuration(i.durationMs)}${
        i.open ? ', still open' : ''
      }`,
  );
}

const NO_INCIDENTS = 'No incidents this week.';

/** The digest in plain text lines (the fallback's and the bell's body). */
function plainLines(digest: WeeklyDigest): string[] {
  const incidents = incidentLines(digest, name => `"${name}"`);
  return [
    ...figures(digest).map(([label, value]) => `${label}: ${value}`),
    `${doraHeading(digest)}:`,
    ...doraLines(digest).map(line => `  ${line}`),
    incidents.length ? 'Worst incidents:' : NO_INCIDENTS,
    ...incidents.map(line => `  ${line}`),
  ];
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

/**
 * The digest as a Slack message: Block Kit blocks (a header, the week,
 * the figures, DORA's ratings, the worst incidents, a button to the
 * entity's OpsHub tab when the app's URL is known) and the plain text
 * Slack shows in notifications. Everything from users is escaped; names
 * are cut so each text stays within Slack's limits (header 150, section
 * 3000 characters).
 */
export function weeklyDigestSlackMessage(
  digest: WeeklyDigest,
  tabUrl: string | undefined,
): { text: string; blocks: KnownBlock[] } {
  const incidents = incidentLines(
    digest,
    name => `*${escapeMrkdwn(name)}*`,
  ).map(line => `• ${line}`);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `Weekly digest: ${entityName(digest.entityRef)}`,
      },
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${digest.from} – ${digest.to} (UTC) · ${escapeMrkdwn(
            digest.entityRef,
          )}`,
        ),
      ],
    },
    {
      type: 'section',
      fields: figures(digest).map(([label, value]) =>
        mrkdwn(`*${label}*\n${value}`),
      ),
    },
    {
      type: 'section',
      text: mrkdwn(`*${doraHeading(digest)}*\n${doraLines(digest).join('\n')}`),
    },
    {
      type: 'section',
      text: mrkdwn(
        incidents.length
          ? `*Worst incidents*\n${incidents.join('\n')}`
          : `*Worst incidents*\n${NO_INCIDENTS}`,
      ),
    },
  ];
  if (tabUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in OpsHub' },
          url: tabUrl,
        },
      ],
    });
  }
  const text = [
    weeklyDigestTitle(digest),
    ...plainLines(digest),
    ...(tabUrl ? [tabUrl] : []),
  ]
    .map(escapeMrkdwn)
    .join('\n');
  return { text, blocks };
}

/** The Backstage notification's scope: one per entity and week. */
export const digestNotificationScope = (digest: WeeklyDigest) =>
  `${OPSHUB_NOTIFICATION_TOPICS.digest}:${digest.entityRef}:${digest.from}`;

/**
 * The digest as a Backstage notification to the entity's owners: `normal`
 * when the week had an incident, else `low`.
 */
export function weeklyDigestNotification(
  digest: WeeklyDigest,
): OpsHubNotification {
  return {
    entityRef: digest.entityRef,
    topic: OPSHUB_NOTIFICATION_TOPICS.digest,
    title: weeklyDigestTitle(digest),
    description: plainLines(digest).join('\n'),
    severity: digest.worstIncidents.length > 0 ? 'normal' : 'low',
    scope: digestNotificationScope(digest),
  };
}
