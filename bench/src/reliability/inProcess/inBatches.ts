/**
 * Runs `each` over `items`, `concurrency` at a time (an in-process
 * backend answers many callers at once; one at a time would take longer
 * than the rows' budget).
 */
export async function inBatches<T>(
  items: T[],
  each: (item: T) => Promise<void>,
  concurrency = 8,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await each(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
