/** The value below which `p` percent of the (unsorted) samples fall. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export const median = (values: number[]) => percentile(values, 50);

export const round = (value: number, digits = 1) =>
  Math.round(value * 10 ** digits) / 10 ** digits;

export function repeatsFromArgs(fallback = 3): number {
  const index = process.argv.indexOf('--repeats');
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error('--repeats takes a whole number of at least 1');
  }
  return value;
}

/** `--name <number>` from the command line, or the fallback. */
export function numberFromArgs(
  name: string,
  fallback: number,
  rule: { min: number; integer?: boolean },
): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (
    !Number.isFinite(value) ||
    value < rule.min ||
    (rule.integer && !Number.isInteger(value))
  ) {
    throw new Error(
      `--${name} takes a${rule.integer ? ' whole' : ''} number of at least ${
        rule.min
      }`,
    );
  }
  return value;
}

export const passOrFail = (met: boolean) => (met ? 'pass' : 'FAIL');
