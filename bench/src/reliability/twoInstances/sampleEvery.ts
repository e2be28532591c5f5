/**
 * Runs `sample` every `intervalMs` (one at a time) until stopped; `stop`
 * resolves once the last one ended, and rejects with a sample's failure
 * (sampling ends at the first).
 */
export function sampleEvery(
  intervalMs: number,
  sample: () => Promise<void>,
): { stop(): Promise<void> } {
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        await sample();
      } catch (error) {
        failure = error;
        return;
      }
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      if (failure) throw failure;
    },
  };
}
