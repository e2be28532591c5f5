/**
 * Answers kept for `ttlMs` per key, for lookups asked on every delivery or
 * job (which entities name a repository, an entity's annotations). Callers
 * asking for the same key while it loads share the load; a failed load is
 * not kept, nor one `keepIf` refuses (shared while it loads, then asked
 * again: e.g. only negative answers kept). Beyond `maxEntries` the cache
 * starts over.
 */
export function shortLivedCache<T>(
  load: (key: string) => Promise<T>,
  options: {
    ttlMs: number;
    maxEntries?: number;
    keepIf?: (value: T) => boolean;
  },
) {
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  const maxEntries = options.maxEntries ?? 10_000;
  return {
    get(key: string): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) return hit.value;
      if (entries.size >= maxEntries) entries.clear();
      const value = load(key);
      entries.set(key, { value, until: now + options.ttlMs });
      const forget = () => {
        if (entries.get(key)?.value === value) entries.delete(key);
      };
      value.then(result => {
        if (options.keepIf && !options.keepIf(result)) forget();
      }, forget);
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}
