import { createByteBudget, createConcurrencyLimit } from './concurrencyLimit';

describe('createConcurrencyLimit', () => {
  it('runs at most max at once, queues up to maxWaiting, and sheds the rest', async () => {
    const limit = createConcurrencyLimit(2, 1);
    const first = await limit.acquire();
    const second = await limit.acquire();
    let thirdAcquired = false;
    const third = limit.acquire().then(release => {
      thirdAcquired = true;
      return release;
    });
    await expect(limit.acquire()).resolves.toBeUndefined();
    expect(thirdAcquired).toBe(false);

    first!();
    const releaseThird = await third;
    expect(thirdAcquired).toBe(true);
    second!();
    releaseThird!();
    // All released: two fresh slots again.
    expect(await limit.acquire()).toBeDefined();
    expect(await limit.acquire()).toBeDefined();
  });
});

describe('createByteBudget', () => {
  it('takes bytes up to max, refuses what would go beyond, and takes again once given back', () => {
    const budget = createByteBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(41)).toBe(false);
    expect(budget.free).toBe(40);
    expect(budget.take(40)).toBe(true);
    expect(budget.free).toBe(0);
    budget.give(60);
    expect(budget.take(60)).toBe(true);
    budget.give(100);
    expect(budget.free).toBe(100);
  });
});
