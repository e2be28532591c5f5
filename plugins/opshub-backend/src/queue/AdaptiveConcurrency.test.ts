import {
  AdaptiveConcurrency,
  eventLoopUtilizationMeter,
} from './AdaptiveConcurrency';

/** A limiter whose utilization readings are `readings`, in turn. */
function limiter(max: number, target: number, readings: number[]) {
  const queue = [...readings];
  return new AdaptiveConcurrency(max, target, () => {
    if (queue.length === 0) throw new Error('no reading left');
    return queue.shift()!;
  });
}

describe('AdaptiveConcurrency', () => {
  it('steps down while the loop is busier than the target, never below one job', () => {
    const limit = limiter(4, 0.7, [0.9, 0.95, 1, 1, 1]);
    const seen = [limit.limit];
    for (let i = 0; i < 5; i++) {
      expect(limit.adjust(4)).toBe(false);
      seen.push(limit.limit);
    }
    expect(seen).toEqual([4, 3, 2, 1, 1, 1]);
  });

  it('steps back up to the maximum once the loop has room and every slot is used', () => {
    const limit = limiter(3, 0.7, [1, 1, 0.5, 0.2, 0.1]);
    limit.adjust(3);
    limit.adjust(3);
    expect(limit.limit).toBe(1);
    expect(limit.adjust(1)).toBe(true);
    expect(limit.adjust(2)).toBe(true);
    expect(limit.limit).toBe(3);
    expect(limit.adjust(3)).toBe(false);
    expect(limit.limit).toBe(3);
  });

  it('holds the limit just under the target, and when the jobs leave slots unused', () => {
    const limit = limiter(4, 0.7, [1, 1, 0.65, 0.1, 0.1]);
    limit.adjust(4);
    limit.adjust(4);
    expect(limit.limit).toBe(2);
    // Below the target, but not by the margin: no step up.
    expect(limit.adjust(2)).toBe(false);
    // Room, but one job runs of the two allowed: more slots would idle.
    expect(limit.adjust(1)).toBe(false);
    expect(limit.limit).toBe(2);
    expect(limit.adjust(2)).toBe(true);
    expect(limit.limit).toBe(3);
  });

  it('keeps the maximum with a target of 1, and a worker turned off stays off', () => {
    const off = limiter(4, 1, [1, 1]);
    off.adjust(4);
    off.adjust(4);
    expect(off.limit).toBe(4);
    const none = limiter(0, 0.7, [1, 0]);
    none.adjust(0);
    expect(none.adjust(0)).toBe(false);
    expect(none.limit).toBe(0);
  });
});

describe('eventLoopUtilizationMeter', () => {
  it('reads the share of time since the previous reading that the loop was busy', async () => {
    const read = eventLoopUtilizationMeter();
    read();
    const until = Date.now() + 100;
    while (Date.now() < until) {
      // The loop is busy, synchronously.
    }
    expect(read()).toBeGreaterThan(0.8);
    await new Promise(resolve => setTimeout(resolve, 150));
    expect(read()).toBeLessThan(0.5);
  });
});
