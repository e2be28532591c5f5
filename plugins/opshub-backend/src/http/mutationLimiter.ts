/** The per-caller budget of mutations, shared by routes and actions. */
export interface MutationLimiter {
  /**
   * Counts one mutation by `actorRef` (a user's entity ref or a service's
   * subject, see `actorRefOf`) and answers 0, or, when the caller is over
   * the limit, counts nothing and answers the milliseconds until they may
   * mutate again.
   */
  take(actorRef: string): number;
}

/**
 * `perMinute` mutations in a burst, then one every `60 s / perMinute` (a
 * token bucket, kept as GCRA: one "theoretical arrival time" per caller,
 * exact in integer milliseconds). State lives in this backend instance;
 * callers whose bucket is full again are dropped, so memory follows the
 * callers active in the last minute.
 */
export function createMutationLimiter(options: {
  perMinute: number;
  now?: () => number;
}): MutationLimiter {
  const { perMinute } = options;
  const now = options.now ?? Date.now;
  const interval = 60_000 / perMinute;
  const tolerance = interval * (perMinute - 1);
  const arrivals = new Map<string, number>();

  return {
    take(actorRef) {
      const at = now();
      const arrival = Math.max(arrivals.get(actorRef) ?? at, at);
      const wait = arrival - tolerance - at;
      if (wait > 0) return wait;
      arrivals.set(actorRef, arrival + interval);
      if (arrivals.size > 10_000) {
        for (const [other, next] of arrivals) {
          if (next <= at) arrivals.delete(other);
        }
      }
      return 0;
    },
  };
}
