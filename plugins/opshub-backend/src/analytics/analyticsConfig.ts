import { durationToMilliseconds } from '@backstage/types';
import { type Config, readDurationFromConfig } from '@backstage/config';

/** `opshub.analytics`, with the documented defaults (config.d.ts). */
export interface AnalyticsConfig {
  /** Deploy events are kept at least this long (400 days). */
  retentionMs: number;
  /**
   * GitHub environments whose deployments are production deploys, matched
   * case-insensitively; `*` matches any run of characters.
   */
  productionEnvironments: string[];
}

export const DEFAULT_ANALYTICS_CONFIG: AnalyticsConfig = {
  retentionMs: 400 * 24 * 60 * 60 * 1000,
  productionEnvironments: ['production', 'prod*'],
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
  return { retentionMs, productionEnvironments };
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
