import { performance } from 'node:perf_hooks';

/**
 * How far below the target utilization the loop must fall before the limit
 * grows again, so that it does not step up and down around the target.
 */
const GROW_MARGIN = 0.1;

/**
 * This process's event loop utilization (the share of time the loop was
 * busy, 0 to 1) since the previous reading.
 */
export function eventLoopUtilizationMeter(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

/**
 * How many jobs an instance runs at once: `max`, less while the process's
 * event loop is busier than `target`. Webhook deliveries and API requests
 * share the loop with the jobs; on a saturated loop more jobs at once add
 * to every request's wait and finish no sooner. Each `adjust` reads the
 * utilization since the last one: above the target the limit steps down,
 * never below one job (while `max` allows any); once the loop is clearly
 * below the target and the jobs use every slot, it steps back up to `max`.
 * A target of 1 or more keeps the limit at `max`.
 */
export class AdaptiveConcurrency {
  private current: number;

  constructor(
    private readonly max: number,
    private readonly target: number,
    private readonly utilization: () => number,
  ) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  /** Returns whether the limit grew (a slot opened). */
  adjust(jobsRunning: number): boolean {
    const utilization = this.utilization();
    if (this.target >= 1) return false;
    if (utilization > this.target) {
      this.current = Math.max(Math.min(1, this.max), this.current - 1);
      return false;
    }
    const room = utilization < this.target - GROW_MARGIN;
    if (room && jobsRunning >= this.current && this.current < this.max) {
      this.current += 1;
      return true;
    }
    return false;
  }
}
