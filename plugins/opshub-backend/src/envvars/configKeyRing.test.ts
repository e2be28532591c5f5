import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { ConfigKeyRing, readEncryptionKeys } from './configKeyRing';

const secret = () => randomBytes(32).toString('base64');
const read = (keys: unknown) =>
  readEncryptionKeys(new ConfigReader({ encryption: { keys } } as any));

describe('readEncryptionKeys', () => {
  it('reads the keys, the first active', async () => {
    const one = secret();
    const two = secret();
    const keys = read([
      { id: 'k-2', secret: two },
      { id: 'k.1_old', secret: one },
    ]);
    expect(keys.map(k => k.id)).toEqual(['k-2', 'k.1_old']);
    expect(keys[0].material).toEqual(Buffer.from(two, 'base64'));
    const ring = new ConfigKeyRing(keys);
    expect((await ring.activeKey())?.id).toBe('k-2');
    expect((await ring.key('k.1_old'))?.material).toHaveLength(32);
    expect(await ring.key('nope')).toBeUndefined();
    expect(await ring.keyIds()).toEqual(['k-2', 'k.1_old']);
  });

  it('has no key without the setting, or with an entry whose id and secret are unset', async () => {
    expect(readEncryptionKeys(new ConfigReader({}))).toEqual([]);
    expect(read([])).toEqual([]);
    // ${OPSHUB_ENCRYPTION_KEY_ID} and ${OPSHUB_ENCRYPTION_KEY} both unset.
    expect(read([{}])).toEqual([]);
    expect(read([{ id: '', secret: '' }])).toEqual([]);
    expect(await new ConfigKeyRing([]).activeKey()).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    [
      'malformed base64',
      [{ id: 'k1', secret: `${secret().slice(0, 40)}!!!=` }],
      /key 'k1' .*base64 of exactly 32 random bytes/,
    ],
    [
      'a 16-byte secret',
      [{ id: 'k1', secret: randomBytes(16).toString('base64') }],
      /key 'k1' .*exactly 32/,
    ],
    [
      'a 33-byte secret',
      [{ id: 'k1', secret: randomBytes(33).toString('base64') }],
      /key 'k1' .*exactly 32/,
    ],
    [
      'a 32-character plain string',
      [{ id: 'k1', secret: 'x'.repeat(32) }],
      /key 'k1' .*exactly 32/,
    ],
    ['a missing secret', [{ id: 'k1' }], /key 'k1' .*exactly 32/],
    [
      'a duplicate id',
      [
        { id: 'k1', secret: secret() },
        { id: 'k1', secret: secret() },
      ],
      /the id 'k1' appears more than once/,
    ],
    [
      'a malformed id',
      [{ id: 'has space', secret: secret() }],
      /keys\[0\]\.id must be 1 to 64/,
    ],
    ['a missing id', [{ secret: secret() }], /keys\[0\]\.id must be 1 to 64/],
    ['not a list', { id: 'k1' }, /must be a list/],
  ])('refuses %s, naming no secret', (_what, keys, message) => {
    const error = (() => {
      try {
        read(keys);
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(message);
    const secrets = (Array.isArray(keys) ? keys : [keys])
      .map(k => (k as { secret?: string }).secret)
      .filter(Boolean) as string[];
    for (const s of secrets) {
      expect(error!.message).not.toContain(s);
      expect(error!.message).not.toContain(s.slice(0, 12));
    }
  });

  it('names every problem at once', () => {
    expect(() =>
      read([
        { id: 'a', secret: 'short' },
        { id: 'b', secret: secret() },
        { id: 'b', secret: secret() },
      ]),
    ).toThrow(/key 'a' .*; key 'b' .*appears more than once/);
  });
});
