/** What every masked value starts with. */
export const MASK = '••••';

/**
 * A value as lists show it: `••••` plus its last 4 characters when it has
 * at least 12, nothing of a shorter or a sensitive one.
 */
export function maskValue(value: string, sensitive: boolean): string {
  const chars = [...value];
  if (sensitive || chars.length < 12) return MASK;
  return MASK + chars.slice(-4).join('');
}
