import { shortLivedCache } from './shortLivedCache';

describe('shortLivedCache', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps an answer for ttlMs, then loads it again', async () => {
    jest.useFakeTimers({ now: 0 });
    const load = jest.fn(async (key: string) => `${key}@${Date.now()}`);
    const cache = shortLivedCache(load, { ttlMs: 1_000 });

    await expect(cache.get('a')).resolves.toBe('a@0');
    jest.setSystemTime(999);
    await expect(cache.get('a')).resolves.toBe('a@0');
    jest.setSystemTime(1_000);
    await expect(cache.get('a')).resolves.toBe('a@1000');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one load among callers asking while it runs', async () => {
    let finish!: (value: string) => void;
    const load = jest.fn(() => new Promise<string>(r => (finish = r)));
    const cache = shortLivedCache(load, { ttlMs: 1_000 });

    const both = Promise.all([cache.get('a'), cache.get('a')]);
    finish('answer');
    await expect(both).resolves.toEqual(['answer', 'answer']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed load', async () => {
    const load = jest
      .fn()
      .mockRejectedValueOnce(new Error('catalog down'))
      .mockResolvedValueOnce('answer');
    const cache = shortLivedCache(load, { ttlMs: 60_000 });

    await expect(cache.get('a')).rejects.toThrow('catalog down');
    await expect(cache.get('a')).resolves.toBe('answer');
  });

  it('keeps only the answers keepIf accepts, sharing the others while they load', async () => {
    const load = jest.fn(async (key: string) => (key === 'known' ? [key] : []));
    const cache = shortLivedCache(load, {
      ttlMs: 60_000,
      keepIf: value => value.length === 0,
    });

    await Promise.all([cache.get('known'), cache.get('known')]);
    await cache.get('known');
    await cache.get('unknown');
    await cache.get('unknown');
    expect(load.mock.calls.map(([key]) => key)).toEqual([
      'known',
      'known',
      'unknown',
    ]);
  });

  it('starts over beyond maxEntries, and on clear', async () => {
    const load = jest.fn(async (key: string) => key);
    const cache = shortLivedCache(load, { ttlMs: 60_000, maxEntries: 2 });
    await cache.get('a');
    await cache.get('b');
    await cache.get('c'); // full: a and b are dropped
    await cache.get('a');
    expect(load.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'c', 'a']);
    cache.clear();
    await cache.get('a');
    expect(load).toHaveBeenCalledTimes(5);
  });
});
