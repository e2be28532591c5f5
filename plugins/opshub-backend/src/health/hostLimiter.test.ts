import { deferred } from '../__testUtils__/waitFor';
import { createHostLimiter } from './hostLimiter';

describe('createHostLimiter', () => {
  it('runs at most perHost probes of a host at once, in arrival order, and others freely', async () => {
    const limiter = createHostLimiter(2);
    const started: string[] = [];
    const finishes = new Map<string, () => void>();
    const probe = (url: string, name: string) =>
      limiter.run(url, async () => {
        started.push(name);
        const done = deferred();
        finishes.set(name, done.resolve);
        await done.promise;
        return name;
      });
    const turn = () => new Promise(resolve => setImmediate(resolve));

    const results = [
      probe('https://api.example.com/a', 'a1'),
      probe('https://API.example.com:443/b', 'a2'),
      probe('https://api.example.com/c', 'a3'),
      probe('https://api.example.com/d', 'a4'),
      probe('http://api.example.com/', 'other port'),
      probe('https://web.example.com/', 'other host'),
    ];
    await turn();
    expect(started).toEqual(['a1', 'a2', 'other port', 'other host']);

    finishes.get('a2')!();
    await turn();
    expect(started).toEqual(['a1', 'a2', 'other port', 'other host', 'a3']);
    finishes.get('a1')!();
    await turn();
    expect(started.slice(-1)).toEqual(['a4']);

    for (const finish of finishes.values()) finish();
    await expect(Promise.all(results)).resolves.toEqual([
      'a1',
      'a2',
      'a3',
      'a4',
      'other port',
      'other host',
    ]);
    expect(limiter.busyHosts).toBe(0);
  });

  it('frees the slot when a probe throws', async () => {
    const limiter = createHostLimiter(1);
    await expect(
      limiter.run('https://api.example.com/', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      limiter.run('https://api.example.com/', async () => 'next'),
    ).resolves.toBe('next');
    expect(limiter.busyHosts).toBe(0);
  });
});
