import { createConcurrencyLimit } from './concurrencyLimit';

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
