import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * A user or group entity ref in OpsHub's form (`user:default/jane`, lower
 * case), or undefined for anything else: what role assignments name.
 */
export function normalizeSubjectRef(ref: string): string | undefined {
  try {
    const parsed = parseEntityRef(ref.toLocaleLowerCase('en-US'));
    if (parsed.kind === 'user' || parsed.kind === 'group') {
      return stringifyEntityRef(parsed);
    }
  } catch {
    // not an entity ref
  }
  return undefined;
}
