import { durationToMilliseconds } from '@backstage/types';
import { type Config, readDurationFromConfig } from '@backstage/config';
import { CronTime } from 'cron';
import { IANAZone } from 'luxon';

/** Health incident states that may count as a failed change. */
export const INCIDENT_STATES = ['degraded', 'down'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** `opshub.analytics.digest`. */
export interface DigestConfig {
  enabled: boolean;
  /** Five-field cron expression, in `timeZone`. */
  cron: string;
  /** IANA zone name. */
  timeZone: string;
}

/** `opshub.analytics`, with the documented defaults (config.d.ts). */
export interface AnalyticsConfig {
  /** Deploy events are kept at least this long (400 days). */
  retentionMs: number;
  /**
   * GitHub environments whose deployments are production deploys, matched
   * case-insensitively; `*` matches any run of characters.
   */
  productionEnvironments: string[];
  /** Incident states that make a failed change (DORA). */
  incidentStates: IncidentState[];
  digest: DigestConfig;
}

export const DEFAULT_ANALYTICS_CONFIG: AnalyticsConfig = {
  retentionMs: 400 * 24 * 60 * 60 * 1000,
  productionEnvironments: ['production', 'prod*'],
  incidentStates: ['down'],
  digest: { enabled: true, cron: '0 9 * * 1', timeZone: 'UTC' },
};

export function readAnalyticsConfig(
  opshub: Config | undefined,
): AnalyticsConfig {
  const analytics = opshub?.getOptionalConfig('analytics');
  const d = DEFAULT_ANALYTICS_CONFIG;
  const retentionMs = analytics?.has('retention')
    ? durationToMilliseconds(
        readDurationFromConfig(analytics, { key: 'retention' }),
      )
    : d.retentionMs;
  const productionEnvironments =
    analytics?.getOptionalStringArray('productionEnvironments') ??
    d.productionEnvironments;
  if (productionEnvironments.some(p => p.trim() === '')) {
    throw new Error(
      'opshub.analytics.productionEnvironments must not hold an empty name',
    );
  }
  return {
    retentionMs,
    productionEnvironments,
    incidentStates: readIncidentStates(analytics),
    digest: readDigestConfig(analytics?.getOptionalConfig('digest')),
  };
}

function readIncidentStates(analytics: Config | undefined): IncidentState[] {
  const states = analytics?.getOptionalStringArray('incidentStates');
  if (!states) return DEFAULT_ANALYTICS_CONFIG.incidentStates;
  const unknown = states.filter(
    s => !(INCIDENT_STATES as readonly string[]).includes(s),
  );
  if (states.length === 0 || unknown.length > 0) {
    throw new Error(
      `opshub.analytics.incidentStates must list ${INCIDENT_STATES.join(
        ' and/or ',
      )}${unknown.length ? `, not ${unknown.join(', ')}` : ''}`,
    );
  }
  return [...new Set(states as IncidentState[])];
}

function readDigestConfig(digest: Config | undefined): DigestConfig {
  const d = DEFAULT_ANALYTICS_CONFIG.digest;
  const cron = digest?.getOptionalString('cron')?.trim() ?? d.cron;
  const timeZone = digest?.getOptionalString('timeZone') ?? d.timeZone;
  if (!IANAZone.isValidZone(timeZone)) {
    throw new Error(
      `opshub.analytics.digest.timeZone '${timeZone}' is not an IANA time zone`,
    );
  }
  if (cron.split(/\s+/).length !== 5) {
    throw new Error(
      `opshub.analytics.digest.cron '${cron}' must have five fields (minute hour day month weekday)`,
    );
  }
  try {
    // eslint-disable-next-line no-new
    new CronTime(cron, timeZone);
  } catch (error) {
    throw new Error(
      `opshub.analytics.digest.cron '${cron}' is not a cron expression: ${error}`,
    );
  }
  return {
    enabled: digest?.getOptionalBoolean('enabled') ?? d.enabled,
    cron,
    timeZone,
  };
}

/** Whether `environment` matches one of the patterns (case-insensitive, `*` any run). */
export function isProductionEnvironment(
  environment: string,
  patterns: string[],
): boolean {
  const name = environment.toLocaleLowerCase('en-US');
  return patterns.some(pattern => {
    const regex = new RegExp(
      `^${pattern
        .toLocaleLowerCase('en-US')
        .split('*')
        .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return regex.test(name);
  });
}
