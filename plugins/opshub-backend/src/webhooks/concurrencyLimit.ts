/**
 * Bounds how many requests run at once; up to `maxWaiting` more wait their
 * turn, and beyond that `acquire` answers undefined (the caller sheds load).
 */
export function createConcurrencyLimit(max: number, maxWaiting: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  };
  return {
    async acquire(): Promise<(() => void) | undefined> {
      if (active < max) {
        active += 1;
        return release;
      }
      if (waiting.length >= maxWaiting) return undefined;
      await new Promise<void>(resolve => waiting.push(resolve));
      return release;
    },
  };
}

/**
 * Bytes shared by everything in flight: `take` answers false (and takes
 * nothing) when the bytes asked for would go beyond `max`.
 */
export function createByteBudget(max: number) {
  let used = 0;
  return {
    take(bytes: number): boolean {
      if (used + bytes > max) return false;
      used += bytes;
      return true;
    },
    give(bytes: number) {
      used -= bytes;
    },
    /** Bytes that may still be taken. */
    get free() {
      return max - used;
    },
  };
}

export type ByteBudget = ReturnType<typeof createByteBudget>;
