import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * A data key for OpsHub's AES-256-GCM encryption of environment variables.
 *
 * @public
 */
export interface OpsHubEncryptionKey {
  /** Stored beside each value, so the value finds its key again. */
  id: string;
  /** 32 bytes. Never logged, never in an error message. */
  material: Buffer;
}

/**
 * Where OpsHub's data keys come from. The built-in ring reads
 * `opshub.encryption.keys` (the first key is active); a module may replace
 * it, e.g. with keys unwrapped by a KMS.
 *
 * @public
 */
export interface OpsHubEncryptionKeyRing {
  /** The key new values are encrypted with; undefined when there is none. */
  activeKey(): Promise<OpsHubEncryptionKey | undefined>;
  /** A key by id, to decrypt what it encrypted; undefined if the ring lacks it. */
  key(id: string): Promise<OpsHubEncryptionKey | undefined>;
  /** The ids of every key in the ring, the active one first. */
  keyIds(): Promise<string[]>;
}

/**
 * Lets a backend module replace the key ring OpsHub encrypts environment
 * variables with.
 *
 * @public
 */
export interface OpsHubEncryptionKeysExtensionPoint {
  /** Replaces the config key ring; a second call is an error. */
  setKeyRing(ring: OpsHubEncryptionKeyRing): void;
}

/**
 * Extension point for {@link OpsHubEncryptionKeysExtensionPoint}.
 *
 * @public
 */
export const opshubEncryptionKeysExtensionPoint =
  createExtensionPoint<OpsHubEncryptionKeysExtensionPoint>({
    id: 'opshub.encryptionKeys',
  });
