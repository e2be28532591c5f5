const cache = new Map<string, string>();

/**
 * `(?, ?), (?, ?)` for `rows` rows shaped like `row` (e.g. `(?, ?::int)`),
 * built once per shape and row count: multi-row statements written on
 * every webhook group cost no query building.
 */
export function valuesPlaceholders(rows: number, row: string): string {
  const cacheKey = `${rows}:${row}`;
  let text = cache.get(cacheKey);
  if (text === undefined) {
    text = Array.from({ length: rows }, () => row).join(', ');
    cache.set(cacheKey, text);
  }
  return text;
}
