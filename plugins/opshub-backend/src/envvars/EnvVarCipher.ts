/**
 * A value as stored: AES-256-GCM ciphertext with its IV, tag and the id of
 * the key that sealed it.
 */
export interface SealedValue {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  keyId: string;
}

/**
 * What a ciphertext is bound to (GCM's additional authenticated data): a
 * row copied to another variable, environment, branch, entity or version
 * fails to decrypt. `branch` is null for the environment's own value.
 */
export interface EnvVarBinding {
  entityRef: string;
  environment: string;
  branch: string | null;
  name: string;
  version: number;
}

/**
 * Seals and opens environment variable values with the key ring. Plaintext
 * exists only in memory; no method logs, and no error message carries a
 * value or a key.
 */
export interface EnvVarCipher {
  /** False when the ring has no key: the env-var routes answer 503. */
  configured(): Promise<boolean>;
  /** Encrypts under the active key with a fresh random IV. */
  seal(plaintext: string, binding: EnvVarBinding): Promise<SealedValue>;
  /** Decrypts; throws when the key is missing or anything was tampered with. */
  open(sealed: SealedValue, binding: EnvVarBinding): Promise<string>;
}
