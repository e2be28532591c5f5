import type { HeldRequest } from './misbehavingProxy';

export interface WatchdogReport {
  /** Requests held open longer than the limit (seen open past it, or ended past it). */
  overLimit: HeldRequest[];
  /** The most requests open at once in a sample. */
  mostOpen: number;
  /** The longest any request was held open, ms. */
  longestMs: number;
  samples: number;
}

/**
 * Samples the fakes' requests every `everyMs` while the scenario runs: each
 * one still open longer than `limitMs` is a worker slot held past the call
 * timeout (OpsHub makes one call at a time per job). At the end, requests
 * that ended past the limit between two samples count too.
 */
export function watchHeldRequests(
  requests: () => HeldRequest[],
  limitMs: number,
  everyMs = 250,
) {
  const over = new Set<HeldRequest>();
  let mostOpen = 0;
  let longestMs = 0;
  let samples = 0;
  const sample = () => {
    const now = Date.now();
    let open = 0;
    for (const request of requests()) {
      const heldMs = (request.endedAt ?? now) - request.startedAt;
      longestMs = Math.max(longestMs, heldMs);
      if (heldMs > limitMs) over.add(request);
      if (request.endedAt === undefined) open += 1;
    }
    mostOpen = Math.max(mostOpen, open);
    samples += 1;
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop(): WatchdogReport {
      clearInterval(timer);
      sample();
      return { overLimit: [...over], mostOpen, longestMs, samples };
    },
  };
}
