import type {
  OpsHubDoraMetrics,
  OpsHubDoraUnavailableReason,
} from '@opshub/plugin-opshub-common';

/** One of DORA's four keys, as `OpsHubDoraMetrics` names them. */
export type DoraKey = keyof OpsHubDoraMetrics;

/** The four keys in the order DORA lists them. */
export const DORA_KEYS: DoraKey[] = [
  'deploymentFrequency',
  'leadTimeForChanges',
  'changeFailureRate',
  'recoveryTime',
];

/**
 * The thresholds the backend rates by (DORA 2023, as Apache DevLake's DORA
 * dashboard rates them), for the definitions shown to users: each level is
 * met at its value (`≥` for frequency, `<` for times, `≤` for the rate).
 */
export const DORA_THRESHOLDS = {
  deploymentFrequency: {
    eliteDaysPerWeek: 5,
    highDaysPerWeek: 1,
    mediumDaysPerMonth: 1,
  },
  leadTimeForChanges: {
    eliteHours: 24,
    highHours: 7 * 24,
    mediumHours: 30 * 24,
  },
  changeFailureRate: { elite: 0.05, high: 0.1, medium: 0.15 },
  recoveryTime: { eliteHours: 1, highHours: 24, mediumHours: 7 * 24 },
} as const;

/** Each key's name and short form (the overview's columns). */
export const DORA_LABELS: Record<DoraKey, { name: string; short: string }> = {
  deploymentFrequency: { name: 'Deployment frequency', short: 'DF' },
  leadTimeForChanges: { name: 'Lead time for changes', short: 'LT' },
  changeFailureRate: { name: 'Change failure rate', short: 'CFR' },
  recoveryTime: { name: 'Failed deployment recovery time', short: 'MTTR' },
};

/** A number with at most one decimal, without a trailing ".0". */
export const formatDecimal = (value: number) =>
  String(Math.round(value * 10) / 10);

/** A count with its unit, plural unless it is 1 ("3 deploys", "1.5 days"). */
export const countOf = (count: number, unit: string) =>
  `${formatDecimal(count)} ${unit}${formatDecimal(count) === '1' ? '' : 's'}`;

/** Hours as minutes under an hour, hours under a day, else days ("1.3 days"). */
export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 24) return `${formatDecimal(hours)} h`;
  return countOf(hours / 24, 'day');
}

/** A rate (0–1) as a percentage with at most one decimal ("10%"). */
export const formatPercent = (rate: number) => `${formatDecimal(rate * 100)}%`;

const { deploymentFrequency: df, leadTimeForChanges: lt } = DORA_THRESHOLDS;
const { changeFailureRate: cfr, recoveryTime: rt } = DORA_THRESHOLDS;

const RATED_BY = 'Rated by DORA 2023 thresholds as Apache DevLake rates them:';

/** What each key measures and how it is rated, in words. */
export const DORA_DEFINITIONS: Record<DoraKey, string> = {
  deploymentFrequency:
    'Median, over the weeks of the range, of the days with at least one ' +
    `successful production deploy. ${RATED_BY} elite ≥ ` +
    `${countOf(df.eliteDaysPerWeek, 'day')} a week, high ≥ ` +
    `${countOf(df.highDaysPerWeek, 'day')} a week, medium ≥ ` +
    `${countOf(df.mediumDaysPerMonth, 'day')} a month, else low.`,
  leadTimeForChanges:
    "Median time from a merged pull request's first commit to the first " +
    `successful production deploy containing its merge commit. ${RATED_BY} ` +
    `elite < ${formatHours(lt.eliteHours)}, high < ${formatHours(
      lt.highHours,
    )}, ` +
    `medium < ${formatHours(lt.mediumHours)}, else low.`,
  changeFailureRate:
    'Share of successful production deploys with at least one incident ' +
    'attributed to them (an incident goes to the last production deploy ' +
    `finished before it opened). ${RATED_BY} elite ≤ ` +
    `${formatPercent(cfr.elite)}, high ≤ ${formatPercent(
      cfr.high,
    )}, medium ≤ ` +
    `${formatPercent(cfr.medium)}, else low.`,
  recoveryTime:
    'Median time from the production deploy an incident is attributed to ' +
    `until the incident closed. ${RATED_BY} elite < ` +
    `${formatHours(rt.eliteHours)}, high < ${formatHours(rt.highHours)}, ` +
    `medium < ${formatHours(rt.mediumHours)}, else low.`,
};

/** Why a key has no value, in words. */
export const DORA_REASONS: Record<OpsHubDoraUnavailableReason, string> = {
  'no-deploys': 'No successful production deploy in this range',
  'no-github-credentials':
    'Needs GitHub credentials (integrations.github) to read commits',
  'no-deployed-changes':
    'No merged pull request reached production in this range',
  'no-recovered-incidents': 'No recovered incident attributed to a deploy',
};
