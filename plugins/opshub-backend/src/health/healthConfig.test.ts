import { ConfigReader } from '@backstage/config';
import { DEFAULT_HEALTH_CONFIG, readHealthConfig } from './healthConfig';

const read = (health: object) => readHealthConfig(new ConfigReader({ health }));

describe('readHealthConfig', () => {
  it('takes the documented defaults without opshub.health', () => {
    expect(readHealthConfig(undefined)).toEqual(DEFAULT_HEALTH_CONFIG);
    expect(DEFAULT_HEALTH_CONFIG).toMatchObject({
      sampleRetentionMs: 7 * 24 * 3_600_000,
      previews: { enabled: true, intervalMs: 60_000, alert: false },
    });
  });

  it('reads sample retention and the preview checks as durations and flags', () => {
    expect(
      read({
        sampleRetention: { days: 2 },
        previews: { enabled: false, interval: '30s', alert: true },
      }),
    ).toMatchObject({
      sampleRetentionMs: 2 * 24 * 3_600_000,
      previews: { enabled: false, intervalMs: 30_000, alert: true },
    });
    expect(read({ previews: { alert: true } }).previews).toEqual({
      enabled: true,
      intervalMs: 60_000,
      alert: true,
    });
  });

  it('refuses counts that are not positive integers and a preview interval below the minimum', () => {
    expect(() => read({ concurrency: 0 })).toThrow(
      'opshub.health.concurrency must be a positive integer',
    );
    expect(() => read({ maxRedirects: -1 })).toThrow(
      'opshub.health.maxRedirects must be an integer of 0 or more',
    );
    expect(() =>
      read({ minInterval: '30s', previews: { interval: '10s' } }),
    ).toThrow(
      'opshub.health.previews.interval must be at least opshub.health.minInterval',
    );
  });
});
