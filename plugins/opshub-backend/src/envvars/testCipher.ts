import type { OpsHubEncryptionKey } from '@opshub/plugin-opshub-node';
import { AesGcmCipher } from './aesGcmCipher';

/**
 * The real cipher over a ring of one fixed test key, for tests of what is
 * built on it; `configured: false` is a ring without a key.
 */
export function testCipher(options: { configured?: boolean } = {}) {
  const key: OpsHubEncryptionKey = {
    id: 'test',
    material: Buffer.alloc(32, 7),
  };
  const keys = options.configured === false ? [] : [key];
  return new AesGcmCipher({
    activeKey: async () => keys[0],
    key: async id => keys.find(k => k.id === id),
    keyIds: async () => keys.map(k => k.id),
  });
}
