import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/**
 * Parses request input with a zod schema; a mismatch is a 400 InputError.
 * So is a NUL character in any string or key of the parsed input:
 * PostgreSQL's text and jsonb cannot hold one, and nothing OpsHub stores
 * or looks up (entity refs, names, values) may contain one.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  input: unknown,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new InputError(`Invalid ${what}: ${path}${issue.message}`);
  }
  const nul = pathToNul(parsed.data);
  if (nul) {
    const path = nul.length > 0 ? `${nul.join('.')}: ` : '';
    throw new InputError(
      `Invalid ${what}: ${path}must not contain NUL characters`,
    );
  }
  return parsed.data;
}

/** The path to the first string or key containing U+0000, if any. */
export function pathToNul(
  value: unknown,
  path: string[] = [],
): string[] | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? path : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, JSON.stringify(key)];
    const found = pathToNul(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
