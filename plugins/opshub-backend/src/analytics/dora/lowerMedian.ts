/**
 * The lower median of `values`: the ⌈n/2⌉-th smallest (the nearest-rank
 * P50 the deploy metrics use, and what DevLake's DORA dashboard takes:
 * the largest value whose percent_rank is at most 0.5); null without any.
 */
export function lowerMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1];
}
