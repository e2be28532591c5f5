/**
 * How far back the latency column looks: the last day from the latest
 * probes, or 7 or 30 days from the hourly rollups.
 */
export type LatencyRange = '24h' | '7d' | '30d';

export const LATENCY_RANGES: { range: LatencyRange; label: string }[] = [
  { range: '24h', label: '24 h' },
  { range: '7d', label: '7 d' },
  { range: '30d', label: '30 d' },
];

/** How many days each range covers. */
export const RANGE_DAYS: Record<LatencyRange, number> = {
  '24h': 1,
  '7d': 7,
  '30d': 30,
};

const DAY_MS = 86_400_000;

/** The rollups' `from`/`to` of a range ending `now`. */
export function rollupWindowOf(
  range: Exclude<LatencyRange, '24h'>,
  now: number,
): { from: string; to: string } {
  return {
    from: new Date(now - RANGE_DAYS[range] * DAY_MS).toISOString(),
    to: new Date(now).toISOString(),
  };
}
