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

  describe('with refreshAfterMs', () => {
    it('loads a key asked again in the background, callers never waiting', async () => {
      jest.useFakeTimers({ now: 0 });
      const load = jest.fn(async (key: string) => `${key}@${Date.now()}`);
      const cache = shortLivedCache(load, {
        ttlMs: 1_000,
        refreshAfterMs: 500,
      });

      await expect(cache.get('a')).resolves.toBe('a@0');
      jest.setSystemTime(499);
      await expect(cache.get('a')).resolves.toBe('a@0');
      expect(load).toHaveBeenCalledTimes(1);
      jest.setSystemTime(500);
      // The answer it had, while a load starts.
      await expect(cache.get('a')).resolves.toBe('a@0');
      await expect(cache.get('a')).resolves.toBe('a@500');
      expect(load).toHaveBeenCalledTimes(2);
      // Past the first answer's ttlMs: that load's, kept from its start.
      jest.setSystemTime(999);
      await expect(cache.get('a')).resolves.toBe('a@500');
      expect(load).toHaveBeenCalledTimes(2);
      jest.setSystemTime(1_000);
      await expect(cache.get('a')).resolves.toBe('a@500');
      expect(load).toHaveBeenCalledTimes(3);
    });

    it('starts one background load at a time', async () => {
      jest.useFakeTimers({ now: 0 });
      let finish!: (value: string) => void;
      const load = jest
        .fn<Promise<string>, [string]>()
        .mockResolvedValueOnce('first')
        .mockImplementationOnce(() => new Promise(r => (finish = r)));
      const cache = shortLivedCache(load, {
        ttlMs: 1_000,
        refreshAfterMs: 500,
      });
      await cache.get('a');
      jest.setSystemTime(600);
      await expect(
        Promise.all([cache.get('a'), cache.get('a'), cache.get('a')]),
      ).resolves.toEqual(['first', 'first', 'first']);
      expect(load).toHaveBeenCalledTimes(2);
      finish('second');
      await Promise.resolve();
      await expect(cache.get('a')).resolves.toBe('second');
    });

    it('never serves an answer past ttlMs when the background load fails', async () => {
      jest.useFakeTimers({ now: 0 });
      const load = jest
        .fn<Promise<string>, [string]>()
        .mockResolvedValueOnce('first')
        .mockRejectedValueOnce(new Error('database down'))
        .mockResolvedValueOnce('third');
      const cache = shortLivedCache(load, {
        ttlMs: 1_000,
        refreshAfterMs: 500,
      });
      await cache.get('a');
      jest.setSystemTime(600);
      await expect(cache.get('a')).resolves.toBe('first');
      await Promise.resolve();
      jest.setSystemTime(999);
      // Tried again in the background; the answer it had until it expires.
      await expect(cache.get('a')).resolves.toBe('first');
      jest.setSystemTime(1_000);
      await expect(cache.get('a')).resolves.toBe('third');
      expect(load).toHaveBeenCalledTimes(3);
    });

    it('drops a background load that ends after a clear', async () => {
      jest.useFakeTimers({ now: 0 });
      let finish!: (value: string) => void;
      const load = jest
        .fn<Promise<string>, [string]>()
        .mockResolvedValueOnce('before')
        .mockImplementationOnce(() => new Promise(r => (finish = r)))
        .mockResolvedValueOnce('after the clear');
      const cache = shortLivedCache(load, {
        ttlMs: 1_000,
        refreshAfterMs: 500,
      });
      await cache.get('a');
      jest.setSystemTime(600);
      await cache.get('a');
      cache.clear();
      await expect(cache.get('a')).resolves.toBe('after the clear');
      finish('loaded before the clear');
      await Promise.resolve();
      await expect(cache.get('a')).resolves.toBe('after the clear');
    });

    it('drops a background answer keepIf refuses', async () => {
      jest.useFakeTimers({ now: 0 });
      const load = jest
        .fn<Promise<string[]>, [string]>()
        .mockResolvedValueOnce([])
        .mockResolvedValueOnce(['tracked now'])
        .mockResolvedValueOnce(['tracked now']);
      const cache = shortLivedCache(load, {
        ttlMs: 1_000,
        refreshAfterMs: 500,
        keepIf: value => value.length === 0,
      });
      await cache.get('a');
      jest.setSystemTime(600);
      await expect(cache.get('a')).resolves.toEqual([]);
      await Promise.resolve();
      await expect(cache.get('a')).resolves.toEqual(['tracked now']);
      expect(load).toHaveBeenCalledTimes(3);
    });
  });
});
