import type { LoggerService } from '@backstage/backend-plugin-api';
import type { OpsHubEncryptionKeyRing } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import type { JobQueue } from '../queue/JobQueue';
import { AesGcmCipher } from './aesGcmCipher';
import type { EnvVarCipher } from './EnvVarCipher';
import {
  assertStoredKeysPresent,
  EncryptionRotation,
  ENVVAR_ROTATE_JOB,
  rotateEncryptionHandler,
} from './rotateEncryption';

/**
 * Environment variables' wiring: refuses startup when stored values use a
 * key the ring lacks, builds the cipher and registers the rotation job.
 */
export async function setUpEnvVars(options: {
  knex: Knex;
  ring: OpsHubEncryptionKeyRing;
  queue: JobQueue;
  logger: LoggerService;
}): Promise<{
  cipher: EnvVarCipher;
  ring: OpsHubEncryptionKeyRing;
  rotation: EncryptionRotation;
}> {
  const { knex, ring, queue, logger } = options;
  await assertStoredKeysPresent(knex, ring);
  const cipher = new AesGcmCipher(ring);
  if (!(await cipher.configured())) {
    logger.warn(
      'opshub.encryption.keys holds no key: the environment variable routes answer 503',
    );
  }
  queue.register(
    ENVVAR_ROTATE_JOB,
    rotateEncryptionHandler({ knex, cipher, ring }),
    { concurrency: 1 },
  );
  return {
    cipher,
    ring,
    rotation: new EncryptionRotation({ knex, ring, queue }),
  };
}
