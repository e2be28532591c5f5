import type { OpsHubHealthSample } from '@opshub/plugin-opshub-common';
import { ago, formatUptime, messageOf, p95LatencyMs } from './health';

const sample = (latencyMs: number): OpsHubHealthSample => ({
  at: '2026-12-01T10:00:00.000Z',
  outcome: 'success',
  latencyMs,
  statusCode: 200,
  errorClass: null,
});

describe('formatUptime', () => {
  it('shows a percentage with one decimal, never rounding up to 100.0%', () => {
    expect(formatUptime(1)).toBe('100.0%');
    expect(formatUptime(0)).toBe('0.0%');
    expect(formatUptime(0.999)).toBe('99.9%');
    expect(formatUptime(0.99995)).toBe('99.9%');
    expect(formatUptime(0.5)).toBe('50.0%');
    expect(formatUptime(0.12345)).toBe('12.3%');
    expect(formatUptime(null)).toBe('—');
  });
});

describe('p95LatencyMs', () => {
  it('takes the nearest rank of the sorted latencies', () => {
    // 20 samples: rank ceil(0.95 × 20) = 19.
    const twenty = [...Array(20).keys()].map(i => sample((20 - i) * 10));
    expect(p95LatencyMs(twenty)).toBe(190);
    // 10 samples: rank ceil(9.5) = 10, the slowest.
    const ten = [5, 1, 9, 3, 7, 2, 8, 4, 6, 100].map(sample);
    expect(p95LatencyMs(ten)).toBe(100);
    expect(p95LatencyMs([sample(42)])).toBe(42);
    expect(p95LatencyMs([])).toBeNull();
  });
});

describe('ago', () => {
  it('says how long ago, in the largest fitting unit', () => {
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    expect(ago('2026-12-01T09:59:48.000Z', now)).toBe('12 s ago');
    expect(ago('2026-12-01T09:55:00.000Z', now)).toBe('5 min ago');
    expect(ago('2026-12-01T07:00:00.000Z', now)).toBe('3 h ago');
    expect(ago('2026-11-28T10:00:00.000Z', now)).toBe('3 days ago');
    // A clock a little ahead of the browser's is "0 s ago", not negative.
    expect(ago('2026-12-01T10:00:02.000Z', now)).toBe('0 s ago');
  });
});

describe('messageOf', () => {
  it("prefers the server's message to the generic one", () => {
    const error = Object.assign(
      new Error('Request failed with 400 Bad Request'),
      { cause: { message: 'intervalMs must be at least 10000' } },
    );
    expect(messageOf(error)).toBe('intervalMs must be at least 10000');
    expect(messageOf(new Error('offline'))).toBe('offline');
  });
});
