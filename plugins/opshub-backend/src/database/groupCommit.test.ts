import { deferred } from '../__testUtils__/waitFor';
import { createGroupCommit } from './groupCommit';

/** A few turns of the event loop: writes start on the turn after a submit. */
async function settle() {
  for (let turn = 0; turn < 3; turn++) {
    await new Promise(resolve => setImmediate(resolve));
  }
}

/** A write function that records its groups and finishes when told. */
function controlledWrites(fail?: (item: number) => boolean) {
  const groups: number[][] = [];
  const finishes: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (items: number[]) => {
    groups.push(items);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = deferred();
    finishes.push(done.resolve);
    await done.promise;
    inFlight -= 1;
    if (fail && items.some(fail)) throw new Error(`bad group ${items}`);
    return items.map(item => item * 10);
  };
  /** Lets every write, and every write those lead to, finish. */
  const finishAll = async () => {
    await settle();
    while (finishes.length > 0) {
      finishes.splice(0).forEach(finish => finish());
      await settle();
    }
  };
  return { write, groups, finishAll, maxInFlight: () => maxInFlight };
}

describe('createGroupCommit', () => {
  it('writes a lone item at once, in a group of its own', async () => {
    const writes = controlledWrites();
    const submit = createGroupCommit({
      write: writes.write,
      maxInFlight: 2,
      maxGroupSize: 10,
    });
    const result = submit(1);
    await settle();
    expect(writes.groups).toEqual([[1]]);
    await writes.finishAll();
    await expect(result).resolves.toBe(10);
  });

  it('groups what arrives while writes are in flight, within the limits', async () => {
    const writes = controlledWrites();
    const submit = createGroupCommit({
      write: writes.write,
      maxInFlight: 2,
      maxGroupSize: 3,
    });
    const first = [submit(1), submit(2)];
    await settle();
    const second = [3, 4, 5, 6, 7, 8, 9].map(submit);
    await settle();
    // 1+2 went together; the second slot took the next three; the rest wait.
    expect(writes.groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);

    await writes.finishAll();
    await expect(Promise.all([...first, ...second])).resolves.toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90,
    ]);
    expect(writes.groups).toEqual([[1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(writes.maxInFlight()).toBe(2);
  });

  it('with a linger, waits that long for more items, unless the group fills first', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const writes = controlledWrites();
      const submit = createGroupCommit({
        write: writes.write,
        maxInFlight: 1,
        maxGroupSize: 3,
        lingerMs: 200,
      });
      const lingering = [submit(1), submit(2)];
      await jest.advanceTimersByTimeAsync(199);
      expect(writes.groups).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(writes.groups).toEqual([[1, 2]]);
      await writes.finishAll();
      await expect(Promise.all(lingering)).resolves.toEqual([10, 20]);

      // A full group goes at once.
      const full = [submit(3), submit(4), submit(5)];
      await settle();
      expect(writes.groups).toEqual([
        [1, 2],
        [3, 4, 5],
      ]);
      await writes.finishAll();
      await expect(Promise.all(full)).resolves.toEqual([30, 40, 50]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('writes a failed group again item by item, so a bad item fails alone', async () => {
    const writes = controlledWrites(item => item === 2);
    const submit = createGroupCommit({
      write: writes.write,
      maxInFlight: 1,
      maxGroupSize: 10,
    });
    const results = Promise.allSettled([1, 2, 3].map(submit));
    await writes.finishAll();
    const settled = await results;
    expect(settled.map(s => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(writes.groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
