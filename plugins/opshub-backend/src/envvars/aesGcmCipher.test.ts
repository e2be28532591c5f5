import { ServiceUnavailableError } from '@backstage/errors';
import { randomBytes } from 'node:crypto';
import { AesGcmCipher, EnvVarDecryptError } from './aesGcmCipher';
import { ConfigKeyRing } from './configKeyRing';
import type { EnvVarBinding, SealedValue } from './EnvVarCipher';

const A = { id: 'key-a', material: randomBytes(32) };
const B = { id: 'key-b', material: randomBytes(32) };
const binding: EnvVarBinding = {
  entityRef: 'component:default/storefront',
  environment: 'preview',
  branch: 'feature/x',
  name: 'DATABASE_URL',
  version: 3,
};
const SECRET = 'postgres://app:hunter2-very-secret@db/app';

function flip(buffer: Buffer, at = 0): Buffer {
  const copy = Buffer.from(buffer);
  copy[at] ^= 0x01;
  return copy;
}

async function expectRefused(
  cipher: AesGcmCipher,
  sealed: SealedValue,
  bound: EnvVarBinding,
) {
  const error = await cipher.open(sealed, bound).then(
    () => undefined,
    e => e as Error,
  );
  expect(error).toBeInstanceOf(EnvVarDecryptError);
  expect(error!.message).not.toContain(SECRET);
  expect(error!.message).not.toContain('hunter2');
  for (const key of [A, B]) {
    expect(error!.message).not.toContain(key.material.toString('base64'));
    expect(error!.message).not.toContain(key.material.toString('hex'));
  }
  return error!;
}

describe('AesGcmCipher', () => {
  const cipher = new AesGcmCipher(new ConfigKeyRing([A, B]));

  it('seals under the active key and opens again', async () => {
    expect(await cipher.configured()).toBe(true);
    const sealed = await cipher.seal(SECRET, binding);
    expect(sealed.keyId).toBe('key-a');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.toString('utf8')).not.toContain('hunter2');
    expect(await cipher.open(sealed, binding)).toBe(SECRET);
    // Empty and multi-byte values too; no branch.
    const own = { ...binding, branch: null };
    for (const value of ['', 'ünïcødé ✓ 🔑', 'x'.repeat(64 * 1024)]) {
      expect(await cipher.open(await cipher.seal(value, own), own)).toBe(value);
    }
  });

  it('draws a fresh IV for every seal', async () => {
    const one = await cipher.seal(SECRET, binding);
    const two = await cipher.seal(SECRET, binding);
    expect(one.iv.equals(two.iv)).toBe(false);
    expect(one.ciphertext.equals(two.ciphertext)).toBe(false);
  });

  it('opens with an older key of the ring', async () => {
    const old = new AesGcmCipher(new ConfigKeyRing([B]));
    const sealed = await old.seal(SECRET, binding);
    expect(sealed.keyId).toBe('key-b');
    expect(await cipher.open(sealed, binding)).toBe(SECRET);
  });

  it('refuses a tampered ciphertext, tag or IV', async () => {
    expect.hasAssertions();
    const sealed = await cipher.seal(SECRET, binding);
    await expectRefused(
      cipher,
      { ...sealed, ciphertext: flip(sealed.ciphertext, 5) },
      binding,
    );
    await expectRefused(cipher, { ...sealed, tag: flip(sealed.tag) }, binding);
    await expectRefused(cipher, { ...sealed, iv: flip(sealed.iv) }, binding);
    await expectRefused(
      cipher,
      { ...sealed, tag: sealed.tag.subarray(0, 12) },
      binding,
    );
    await expectRefused(
      cipher,
      { ...sealed, ciphertext: sealed.ciphertext.subarray(1) },
      binding,
    );
  });

  it.each<[string, Partial<EnvVarBinding>]>([
    ['another name', { name: 'DATABASE_URL_2' }],
    ['another version', { version: 4 }],
    ['another entity', { entityRef: 'component:default/billing' }],
    ['another environment', { environment: 'production' }],
    ['another branch', { branch: 'feature/y' }],
    ['no branch', { branch: null }],
  ])('refuses a value moved to %s', async (_what, change) => {
    expect.hasAssertions();
    const sealed = await cipher.seal(SECRET, binding);
    await expectRefused(cipher, sealed, { ...binding, ...change });
  });

  it('refuses a wrong or missing key id, naming only the id', async () => {
    const sealed = await cipher.seal(SECRET, binding);
    const wrong = await expectRefused(
      cipher,
      { ...sealed, keyId: 'key-b' },
      binding,
    );
    expect(wrong.message).toContain("'key-a'".replace('a', 'b'));
    const missing = await expectRefused(
      cipher,
      { ...sealed, keyId: 'key-gone' },
      binding,
    );
    expect(missing.message).toMatch(/'key-gone', which the key ring lacks/);
  });

  it('answers 503 with how to configure a key when the ring is empty', async () => {
    const empty = new AesGcmCipher(new ConfigKeyRing([]));
    expect(await empty.configured()).toBe(false);
    await expect(empty.seal(SECRET, binding)).rejects.toThrow(
      ServiceUnavailableError,
    );
    const sealed = await cipher.seal(SECRET, binding);
    const error = await empty.open(sealed, binding).catch(e => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toMatch(/opshub\.encryption\.keys/);
    expect(error.message).toMatch(/OPSHUB_ENCRYPTION_KEY_ID/);
    expect(error.message).toMatch(/OPSHUB_ENCRYPTION_KEY\b/);
  });

  it('refuses a module key of the wrong length, naming only its id', async () => {
    const short = { id: 'short', material: randomBytes(16) };
    const bad = new AesGcmCipher(new ConfigKeyRing([short]));
    await expect(bad.seal(SECRET, binding)).rejects.toThrow(
      "OpsHub encryption key 'short' must be 32 bytes",
    );
  });
});
