/**
 * A check's `expectedStatus`: HTTP status codes and ranges separated by
 * commas, e.g. `200-299` (the default), `200`, `200,204,301-302`. Spaces
 * around the parts are allowed; codes are 100–599 and a range's low end is
 * at most its high end.
 */

const PART = /^(\d{3})(?:\s*-\s*(\d{3}))?$/;

type Range = readonly [low: number, high: number];

function parseRanges(spec: string): Range[] | string {
  if (typeof spec !== 'string' || spec.trim() === '') {
    return 'expected status is empty (e.g. 200-299 or 200,204,301-302)';
  }
  const ranges: Range[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    const match = PART.exec(part);
    if (!match) {
      return `expected status part "${part.slice(
        0,
        20,
      )}" is not a code (200) or a range (200-299)`;
    }
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    for (const code of [low, high]) {
      if (code < 100 || code > 599) {
        return `expected status code ${code} is not between 100 and 599`;
      }
    }
    if (low > high) {
      return `expected status range ${low}-${high} ends before it starts`;
    }
    ranges.push([low, high]);
  }
  return ranges;
}

/** Why `spec` is not a valid expected status; undefined when it is (for zod refinements). */
export function validateExpectedStatus(spec: string): string | undefined {
  const ranges = parseRanges(spec);
  return typeof ranges === 'string' ? ranges : undefined;
}

/** A test of a status against `spec`; throws an Error with the reason for an invalid spec. */
export function parseExpectedStatus(spec: string): (status: number) => boolean {
  const ranges = parseRanges(spec);
  if (typeof ranges === 'string') throw new Error(ranges);
  return status =>
    ranges.some(([low, high]) => status >= low && status <= high);
}
