import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/** Parses request input with a zod schema; a mismatch is a 400 InputError. */
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
  return parsed.data;
}
