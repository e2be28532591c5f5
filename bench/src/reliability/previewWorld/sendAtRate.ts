import { seededRandom } from '../../lib/seededRandom';

/** A copy of `items` in an order fixed by `seed` (Fisher–Yates, mulberry32). */
export function shuffled<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Calls `send` for each item, item i at i / `perSecond` seconds from now
 * (without waiting for earlier answers); resolves with the answers in order.
 */
export async function sendAtRate<T, R>(
  items: T[],
  perSecond: number,
  send: (item: T) => Promise<R>,
): Promise<R[]> {
  const start = Date.now();
  return Promise.all(
    items.map(async (item, i) => {
      const due = start + (i * 1000) / perSecond;
      await new Promise(resolve =>
        setTimeout(resolve, Math.max(0, due - Date.now())),
      );
      return send(item);
    }),
  );
}
