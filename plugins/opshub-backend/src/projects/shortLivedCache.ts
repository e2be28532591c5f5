/**
 * Answers kept for `ttlMs` per key, for lookups asked on every delivery or
 * job (which entities name a repository, an entity's annotations). Callers
 * asking for the same key while it loads share the load; a failed load is
 * not kept, nor one `keepIf` refuses (shared while it loads, then asked
 * again: e.g. only negative answers kept). Beyond `maxEntries` the cache
 * starts over.
 *
 * With `refreshAfterMs`, a key asked again once its answer is that old is
 * loaded again in the background while callers keep getting the answer
 * they had, so a key asked steadily never makes a caller wait for a load.
 * No answer is ever served past `ttlMs` after its load started, and a
 * background load that ends after a `clear` is dropped: the staleness
 * bound is the same as without it.
 */
export function shortLivedCache<T>(
  load: (key: string) => Promise<T>,
  options: {
    ttlMs: number;
    maxEntries?: number;
    keepIf?: (value: T) => boolean;
    refreshAfterMs?: number;
  },
) {
  type Entry = { value: Promise<T>; until: number; refreshing?: boolean };
  const entries = new Map<string, Entry>();
  const maxEntries = options.maxEntries ?? 10_000;
  const { ttlMs, keepIf, refreshAfterMs } = options;

  /** Loads `key` again, replacing `entry` once the answer is in. */
  function refresh(key: string, entry: Entry, now: number) {
    entry.refreshing = true;
    const value = load(key);
    value.then(
      result => {
        if (entries.get(key) !== entry) return;
        if (keepIf && !keepIf(result)) entries.delete(key);
        else entries.set(key, { value, until: now + ttlMs });
      },
      () => {
        entry.refreshing = false;
      },
    );
  }

  return {
    get(key: string): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.until > now) {
        const age = now - (hit.until - ttlMs);
        if (
          refreshAfterMs !== undefined &&
          age >= refreshAfterMs &&
          !hit.refreshing
        ) {
          refresh(key, hit, now);
        }
        return hit.value;
      }
      if (entries.size >= maxEntries) entries.clear();
      const value = load(key);
      entries.set(key, { value, until: now + ttlMs });
      const forget = () => {
        if (entries.get(key)?.value === value) entries.delete(key);
      };
      value.then(result => {
        if (keepIf && !keepIf(result)) forget();
      }, forget);
      return value;
    },
    clear(): void {
      entries.clear();
    },
  };
}
