import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_ANALYTICS_CONFIG,
  isProductionEnvironment,
  readAnalyticsConfig,
} from './analyticsConfig';

describe('readAnalyticsConfig', () => {
  it('takes 400 days and production, prod* without opshub.analytics', () => {
    expect(readAnalyticsConfig(undefined)).toEqual(DEFAULT_ANALYTICS_CONFIG);
    expect(DEFAULT_ANALYTICS_CONFIG).toEqual({
      retentionMs: 400 * 86_400_000,
      productionEnvironments: ['production', 'prod*'],
    });
  });

  it('reads the retention as a duration and the environments as given', () => {
    const config = new ConfigReader({
      analytics: { retention: { days: 500 }, productionEnvironments: ['live'] },
    });
    expect(readAnalyticsConfig(config)).toEqual({
      retentionMs: 500 * 86_400_000,
      productionEnvironments: ['live'],
    });
    expect(() =>
      readAnalyticsConfig(
        new ConfigReader({ analytics: { productionEnvironments: [' '] } }),
      ),
    ).toThrow('must not hold an empty name');
  });
});

describe('isProductionEnvironment', () => {
  const defaults = DEFAULT_ANALYTICS_CONFIG.productionEnvironments;
  it.each([
    ['production', true],
    ['Production', true],
    ['PROD', true],
    ['prod-eu', true],
    ['production-us', true],
    ['preprod', false],
    ['staging', false],
    ['Preview', false],
    ['', false],
  ])('%j is production by the defaults: %s', (environment, expected) => {
    expect(isProductionEnvironment(environment, defaults)).toBe(expected);
  });

  it('treats every other character literally', () => {
    expect(isProductionEnvironment('live.eu', ['live.eu'])).toBe(true);
    expect(isProductionEnvironment('liveXeu', ['live.eu'])).toBe(false);
  });
});
