import { performance } from 'node:perf_hooks';
import { waitUntil } from './postgres';

/**
 * Resolves once `count()` (e.g. the requests a fake received) has not
 * changed for `quietMs`; throws after `timeoutMs`.
 */
export async function untilQuiet(
  count: () => number,
  quietMs: number,
  timeoutMs: number,
): Promise<void> {
  let last = -1;
  let since = performance.now();
  await waitUntil(
    async () => {
      if (count() !== last) {
        last = count();
        since = performance.now();
      }
      return performance.now() - since >= quietMs;
    },
    timeoutMs,
    100,
  );
}
