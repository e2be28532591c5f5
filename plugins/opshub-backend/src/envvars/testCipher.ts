import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EnvVarBinding, EnvVarCipher, SealedValue } from './EnvVarCipher';

/**
 * AES-256-GCM with one fixed key, for tests of what is built on the
 * cipher: real ciphertext, the binding as AAD. `configured: false` is a
 * cipher without a key.
 */
export function testCipher(options: { configured?: boolean } = {}) {
  const key = Buffer.alloc(32, 7);
  const aad = (b: EnvVarBinding) =>
    Buffer.from(
      JSON.stringify([b.entityRef, b.environment, b.branch, b.name, b.version]),
    );
  const cipher: EnvVarCipher = {
    async configured() {
      return options.configured ?? true;
    },
    async seal(plaintext, binding): Promise<SealedValue> {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(aad(binding));
      const ciphertext = Buffer.concat([
        c.update(plaintext, 'utf8'),
        c.final(),
      ]);
      return { ciphertext, iv, tag: c.getAuthTag(), keyId: 'test' };
    },
    async open(sealed, binding) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.iv);
      d.setAAD(aad(binding));
      d.setAuthTag(sealed.tag);
      return Buffer.concat([d.update(sealed.ciphertext), d.final()]).toString(
        'utf8',
      );
    },
  };
  return cipher;
}
