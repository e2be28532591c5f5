import { ServiceUnavailableError } from '@backstage/errors';
import type {
  OpsHubEncryptionKey,
  OpsHubEncryptionKeyRing,
} from '@opshub/plugin-opshub-node';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EnvVarBinding, EnvVarCipher, SealedValue } from './EnvVarCipher';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Versions the AAD encoding, so it can change without ambiguity. */
const AAD_DOMAIN = 'opshub.envvar.v1';

/** How to configure a key, for the 503 of every env-var route. */
export const NO_KEY_MESSAGE =
  'Environment variables need an encryption key: set opshub.encryption.keys ' +
  '([{ id, secret }], secret = base64 of 32 random bytes), or in production ' +
  'OPSHUB_ENCRYPTION_KEY_ID and OPSHUB_ENCRYPTION_KEY';

/**
 * A value that could not be decrypted: unknown key, or a ciphertext, IV,
 * tag or binding that does not match. The message names the key id at
 * most: never a value, never key material.
 */
export class EnvVarDecryptError extends Error {
  name = 'EnvVarDecryptError';
}

/**
 * The additional authenticated data of a value: a canonical JSON array of
 * its binding, so a row copied to another entity, environment, branch,
 * name or version fails to decrypt.
 */
export function bindingAad(binding: EnvVarBinding): Buffer {
  return Buffer.from(
    JSON.stringify([
      AAD_DOMAIN,
      binding.entityRef,
      binding.environment,
      binding.branch ?? '',
      binding.name,
      binding.version,
    ]),
    'utf8',
  );
}

/** {@link EnvVarCipher} with AES-256-GCM over a key ring (`node:crypto`). */
export class AesGcmCipher implements EnvVarCipher {
  constructor(private readonly ring: OpsHubEncryptionKeyRing) {}

  async configured(): Promise<boolean> {
    return (await this.ring.activeKey()) !== undefined;
  }

  async seal(plaintext: string, binding: EnvVarBinding): Promise<SealedValue> {
    const key = await this.ring.activeKey();
    if (!key) throw new ServiceUnavailableError(NO_KEY_MESSAGE);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, material(key), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(bindingAad(binding));
    const ciphertext = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return { ciphertext, iv, tag: cipher.getAuthTag(), keyId: key.id };
  }

  async open(sealed: SealedValue, binding: EnvVarBinding): Promise<string> {
    const [active, key] = await Promise.all([
      this.ring.activeKey(),
      this.ring.key(sealed.keyId),
    ]);
    if (!active && !key) throw new ServiceUnavailableError(NO_KEY_MESSAGE);
    if (!key) {
      throw new EnvVarDecryptError(
        `A value is encrypted under key '${sealed.keyId}', which the key ring lacks`,
      );
    }
    const failed = () =>
      new EnvVarDecryptError(
        `A value under key '${sealed.keyId}' could not be decrypted: it was altered or does not belong to this variable`,
      );
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
      throw failed();
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, material(key), sealed.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(bindingAad(binding));
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([
        decipher.update(sealed.ciphertext),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // Node's own message ("Unsupported state or unable to authenticate
      // data") says nothing more; it is dropped so nothing else can leak.
      throw failed();
    }
  }
}

/** A ring module's key must be 32 bytes; the error names only its id. */
function material(key: OpsHubEncryptionKey): Buffer {
  if (!Buffer.isBuffer(key.material) || key.material.length !== KEY_BYTES) {
    throw new Error(
      `OpsHub encryption key '${key.id}' must be ${KEY_BYTES} bytes`,
    );
  }
  return key.material;
}
