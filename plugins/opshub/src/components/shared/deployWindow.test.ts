import { formatDuration, formatSuccessRate } from './deployFormat';
import { lastDays, windowOf, windowProblem } from './deployWindow';

const now = Date.parse('2027-01-03T23:59:00Z');

describe('deploy windows', () => {
  it('ends a preset window today (UTC), today included, across a year end', () => {
    expect(lastDays(7, now)).toEqual({ from: '2026-12-28', to: '2027-01-03' });
    expect(windowOf({ days: 30 }, now)).toEqual({
      from: '2026-12-05',
      to: '2027-01-03',
    });
    const custom = { from: '2026-01-01', to: '2026-01-31' };
    expect(windowOf({ custom }, now)).toBe(custom);
  });

  it('refuses missing dates, a start after the end and more than 400 days', () => {
    expect(windowProblem({ from: '', to: '2026-01-31' })).toBe(
      'Pick both dates.',
    );
    expect(windowProblem({ from: '2026-02-01', to: '2026-01-31' })).toBe(
      'The start is after the end.',
    );
    expect(windowProblem({ from: '2025-01-01', to: '2026-02-05' })).toBe(
      'Pick at most 400 days.',
    );
    expect(windowProblem({ from: '2025-01-01', to: '2026-02-04' })).toBe(
      undefined,
    );
  });
});

describe('deploy figures', () => {
  it('shows durations in their two largest units and unknown ones as a dash', () => {
    expect(
      [null, 850, 42_400, 120_000, 200_000, 3_600_000, 3_900_000].map(
        formatDuration,
      ),
    ).toEqual([
      '—',
      '850 ms',
      '42 s',
      '2 min',
      '3 min 20 s',
      '1 h',
      '1 h 5 min',
    ]);
  });

  it('shows a success rate as a percentage, none as a dash', () => {
    expect([null, 1, 0.95238].map(formatSuccessRate)).toEqual([
      '—',
      '100.0%',
      '95.2%',
    ]);
  });
});
