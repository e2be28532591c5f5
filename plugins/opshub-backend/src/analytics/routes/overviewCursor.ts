import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** Where a page of the overview ended: its last row's sort key. */
export interface OverviewPosition {
  deploys: number;
  /** The entity ref, lower case. */
  refKey: string;
}

const position = z.tuple([z.number().int().min(0), z.string().min(1)]);

/** The opaque `after` of the page following `last`. */
export function encodeOverviewCursor(last: OverviewPosition): string {
  return Buffer.from(JSON.stringify([last.deploys, last.refKey])).toString(
    'base64url',
  );
}

/** The position an `after` names; 400 for anything else. */
export function decodeOverviewCursor(cursor: string): OverviewPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = position.safeParse(decoded);
  if (!parsed.success) {
    throw new InputError(
      'Invalid query: after: not a cursor of the analytics overview',
    );
  }
  const [deploys, refKey] = parsed.data;
  return { deploys, refKey };
}
