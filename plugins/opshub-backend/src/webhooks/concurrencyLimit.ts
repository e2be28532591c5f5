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
