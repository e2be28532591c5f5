import { createMutationLimiter } from './mutationLimiter';

describe('createMutationLimiter', () => {
  it('answers 0 within the burst, then the wait in ms, counting only what it lets through', () => {
    let clock = 0;
    const limiter = createMutationLimiter({ perMinute: 3, now: () => clock });
    expect([1, 2, 3].map(() => limiter.take('external:ci'))).toEqual([0, 0, 0]);
    expect(limiter.take('external:ci')).toBe(20_000);
    clock = 5_000;
    // A refused take leaves the bucket as it was.
    expect(limiter.take('external:ci')).toBe(15_000);
    expect(limiter.take('user:default/a')).toBe(0);
    clock = 20_000;
    expect(limiter.take('external:ci')).toBe(0);
    expect(limiter.take('external:ci')).toBe(20_000);
  });
});
