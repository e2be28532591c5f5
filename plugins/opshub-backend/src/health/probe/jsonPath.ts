/**
 * A small, safe JSONPath subset for health-check assertions: `$`, then any
 * number of `.key`, `['key']` / `["key"]` and `[0]` steps. No wildcards,
 * filters or script: a path names at most one value, and reading it only
 * follows own properties (never `__proto__` or inherited members).
 */

export type JsonPathStep = string | number;

const MAX_PATH_LENGTH = 500;
const DOT_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*/;
const INDEX = /^\[(0|[1-9]\d{0,8})\]/;

function parse(path: string): JsonPathStep[] | string {
  if (typeof path !== 'string' || !path.startsWith('$')) {
    return 'JSON path must start with $ (e.g. $.status or $.items[0].name)';
  }
  if (path.length > MAX_PATH_LENGTH) {
    return `JSON path is longer than ${MAX_PATH_LENGTH} characters`;
  }
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest !== '') {
    const at = path.length - rest.length;
    if (rest.startsWith('.')) {
      const key = DOT_KEY.exec(rest.slice(1));
      if (!key) {
        return `JSON path has no key after "." at position ${at}`;
      }
      steps.push(key[0]);
      rest = rest.slice(1 + key[0].length);
      continue;
    }
    const index = INDEX.exec(rest);
    if (index) {
      steps.push(Number(index[1]));
      rest = rest.slice(index[0].length);
      continue;
    }
    const quoted = parseQuotedKey(rest);
    if (quoted) {
      steps.push(quoted.key);
      rest = rest.slice(quoted.length);
      continue;
    }
    return `JSON path has an unsupported step at position ${at} (use .key, ['key'] or [0])`;
  }
  return steps;
}

/** `['key']` or `["key"]` at the start of `text`, with `\\`, `\'` and `\"` escapes. */
function parseQuotedKey(
  text: string,
): { key: string; length: number } | undefined {
  const quote = text[1];
  if (text[0] !== '[' || (quote !== "'" && quote !== '"')) return undefined;
  let key = '';
  for (let i = 2; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '\\' && next !== "'" && next !== '"') return undefined;
      key += next;
      i++;
    } else if (char === quote) {
      return text[i + 1] === ']' ? { key, length: i + 2 } : undefined;
    } else {
      key += char;
    }
  }
  return undefined;
}

/** Why `path` is not a supported JSON path; undefined when it is (for zod refinements). */
export function validateJsonPath(path: string): string | undefined {
  const steps = parse(path);
  return typeof steps === 'string' ? steps : undefined;
}

/** The steps of a valid path; throws an Error with the reason otherwise. */
export function parseJsonPath(path: string): JsonPathStep[] {
  const steps = parse(path);
  if (typeof steps === 'string') throw new Error(steps);
  return steps;
}

/** The value at `path` in parsed JSON; `found: false` when a step is missing. */
export function valueAt(
  json: unknown,
  path: string,
): { found: boolean; value?: unknown } {
  let current: unknown = json;
  for (const step of parseJsonPath(path)) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) {
        return { found: false };
      }
      current = current[step];
    } else {
      if (
        current === null ||
        typeof current !== 'object' ||
        Array.isArray(current) ||
        !Object.prototype.hasOwnProperty.call(current, step)
      ) {
        return { found: false };
      }
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: current };
}

/**
 * Whether a JSON value equals an assertion's expected scalar: same type and
 * value (`1` is not `"1"`, `null` only equals `null`; objects and arrays
 * never equal a scalar).
 */
export function jsonValueEquals(
  value: unknown,
  expected: string | number | boolean | null,
): boolean {
  return value === expected;
}
