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
      incidentStates: ['down'],
      digest: { enabled: true, cron: '0 9 * * 1', timeZone: 'UTC' },
    });
  });

  it('reads the retention as a duration and the environments as given', () => {
    const config = new ConfigReader({
      analytics: { retention: { days: 500 }, productionEnvironments: ['live'] },
    });
    expect(readAnalyticsConfig(config)).toEqual({
      ...DEFAULT_ANALYTICS_CONFIG,
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

describe('incident states and the digest', () => {
  const read = (analytics: object) =>
    readAnalyticsConfig(new ConfigReader({ analytics }));

  it('reads the incident states, once each', () => {
    expect(
      read({ incidentStates: ['degraded', 'down', 'down'] }).incidentStates,
    ).toEqual(['degraded', 'down']);
    expect(() => read({ incidentStates: ['up'] })).toThrow(
      'opshub.analytics.incidentStates must list degraded and/or down, not up',
    );
    expect(() => read({ incidentStates: [] })).toThrow(
      'opshub.analytics.incidentStates must list',
    );
  });

  it('reads the digest schedule in its time zone', () => {
    expect(
      read({
        digest: {
          enabled: false,
          cron: '30 8 * * 5',
          timeZone: 'Europe/Berlin',
        },
      }).digest,
    ).toEqual({
      enabled: false,
      cron: '30 8 * * 5',
      timeZone: 'Europe/Berlin',
    });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, "timeZone 'Mars/Olympus' is not an IANA"],
    [{ cron: '0 9 * *' }, 'must have five fields'],
    [{ cron: '0 0 9 * * 1' }, 'must have five fields'],
    [{ cron: '61 9 * * 1' }, "cron '61 9 * * 1' is not a cron expression"],
  ])('refuses the digest %j', (digest, message) => {
    expect(() => read({ digest })).toThrow(message);
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
