import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import type { OpsHubEncryptionKeyRing } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import { JobPermanentError } from '../queue/errors';
import type { JobEnqueuer, JobHandler } from '../queue/types';
import { NO_KEY_MESSAGE } from './aesGcmCipher';
import type { EnvVarCipher, SealedValue } from './EnvVarCipher';

/** The queue job that re-encrypts every stored value under the active key. */
export const ENVVAR_ROTATE_JOB = 'envvar-rotate';
/** Its key (one waits at most) and exclusion group (one runs at most). */
const ROTATE_KEY = 'envvar-rotate';

/** Both tables hold sealed values; versions of deletes hold none. */
const SEALED_TABLES = ['env_vars', 'env_var_versions'] as const;

/** Stored values per key id, over both tables. */
export async function countValuesByKey(
  knex: Knex,
): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const table of SEALED_TABLES) {
    const rows: Array<{ key_id: string; count: number | string }> = await knex(
      table,
    )
      .whereNotNull('key_id')
      .groupBy('key_id')
      .select('key_id')
      .count({ count: '*' });
    for (const row of rows) {
      values[row.key_id] = (values[row.key_id] ?? 0) + Number(row.count);
    }
  }
  return values;
}

/**
 * Refuses startup when stored values are encrypted under a key id the ring
 * lacks (an empty ring included): they could never be read again. Names
 * the ids, never a secret.
 */
export async function assertStoredKeysPresent(
  knex: Knex,
  ring: OpsHubEncryptionKeyRing,
): Promise<void> {
  const known = new Set(await ring.keyIds());
  const stored = Object.keys(await countValuesByKey(knex)).sort();
  const missing = stored.filter(id => !known.has(id));
  if (missing.length === 0) return;
  throw new Error(
    `OpsHub refuses to start: stored environment variable values are encrypted under key id${
      missing.length > 1 ? 's' : ''
    } ${missing
      .map(id => `'${id}'`)
      .join(', ')}, which the encryption key ring lacks (${
      known.size > 0
        ? `it holds ${[...known].map(id => `'${id}'`).join(', ')}`
        : 'it holds no key'
    }). Add ${
      missing.length > 1 ? 'those keys' : 'that key'
    } back to opshub.encryption.keys (after the active one), and remove a key only once GET /api/opshub/org/encryption counts no value under it.`,
  );
}

type SealedRow = {
  id: string | number;
  entity_ref: string;
  environment: string;
  branch: string;
  name: string;
  version: number;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  key_id: string;
};

/**
 * Re-encrypts up to `batchSize` values not under the active key: each is
 * opened with its own key and binding, sealed under the active key and
 * written back in one transaction per batch, guarded on its old key id and
 * version so a value changed meanwhile is left alone (it is under the active
 * key already). Returns how many it rewrote or found changed; 0 when none is
 * left.
 */
export async function rotateBatch(options: {
  knex: Knex;
  cipher: EnvVarCipher;
  ring: OpsHubEncryptionKeyRing;
  batchSize: number;
}): Promise<number> {
  const { knex, cipher, ring, batchSize } = options;
  const active = await ring.activeKey();
  if (!active) throw new ServiceUnavailableError(NO_KEY_MESSAGE);
  let done = 0;
  for (const table of SEALED_TABLES) {
    if (done >= batchSize) break;
    const rows: SealedRow[] = await knex(table)
      .whereNotNull('key_id')
      .whereNot('key_id', active.id)
      .orderBy('id')
      .limit(batchSize - done)
      .select(
        'id',
        'entity_ref',
        'environment',
        'branch',
        'name',
        'version',
        'ciphertext',
        'iv',
        'tag',
        'key_id',
      );
    if (rows.length === 0) continue;
    const updates: Array<{ row: SealedRow; sealed: SealedValue }> = [];
    for (const row of rows) {
      const binding = {
        entityRef: row.entity_ref,
        environment: row.environment,
        branch: row.branch === '' ? null : row.branch,
        name: row.name,
        version: Number(row.version),
      };
      let plaintext: string;
      try {
        plaintext = await cipher.open(
          {
            ciphertext: row.ciphertext,
            iv: row.iv,
            tag: row.tag,
            keyId: row.key_id,
          },
          binding,
        );
      } catch (error) {
        // Retrying cannot help: an admin must look at this row.
        throw new JobPermanentError(
          `${table} row ${row.id} (key '${
            row.key_id
          }') could not be decrypted: ${(error as Error).name}`,
        );
      }
      const sealed = await cipher.seal(plaintext, binding);
      updates.push({ row, sealed });
    }
    await knex.transaction(async trx => {
      for (const { row, sealed } of updates) {
        await trx(table)
          .where({ id: row.id, key_id: row.key_id, version: row.version })
          .update({
            ciphertext: sealed.ciphertext,
            iv: sealed.iv,
            tag: sealed.tag,
            key_id: sealed.keyId,
          });
      }
    });
    done += rows.length;
  }
  return done;
}

/**
 * The `envvar-rotate` handler: one batch per run, then runs again at once
 * while values are left, so a restart (or another instance) simply
 * continues where the last committed batch ended.
 */
export function rotateEncryptionHandler(options: {
  knex: Knex;
  cipher: EnvVarCipher;
  ring: OpsHubEncryptionKeyRing;
  batchSize?: number;
}): JobHandler {
  const batchSize = options.batchSize ?? 100;
  return async ({ signal }) => {
    if (!(await options.ring.activeKey())) {
      throw new JobPermanentError(NO_KEY_MESSAGE);
    }
    if (signal.aborted) return { rescheduleInMs: 0 };
    const done = await rotateBatch({ ...options, batchSize });
    return done > 0 ? { rescheduleInMs: 0 } : undefined;
  };
}

/** The rotation as the routes see it. */
export class EncryptionRotation {
  constructor(
    private readonly deps: {
      knex: Knex;
      ring: OpsHubEncryptionKeyRing;
      queue: JobEnqueuer;
    },
  ) {}

  async status(): Promise<{
    activeKeyId: string | null;
    values: Record<string, number>;
  }> {
    const active = await this.deps.ring.activeKey();
    return {
      activeKeyId: active?.id ?? null,
      values: await countValuesByKey(this.deps.knex),
    };
  }

  /** Enqueues a rotation; 409 while one is queued or running. */
  async request(requestedBy: string): Promise<{ jobId: string }> {
    const { knex, ring, queue } = this.deps;
    const active = await ring.activeKey();
    if (!active) throw new ServiceUnavailableError(NO_KEY_MESSAGE);
    const jobId = await knex.transaction(async trx => {
      const pending = await trx('jobs')
        .where({ type: ENVVAR_ROTATE_JOB })
        .whereIn('state', ['queued', 'running'])
        .first('id');
      if (pending) {
        throw new ConflictError(
          `An encryption key rotation is already queued or running (job ${pending.id})`,
        );
      }
      // The payload never holds a value: only who asked and the target key.
      return queue.enqueue(trx, {
        type: ENVVAR_ROTATE_JOB,
        key: ROTATE_KEY,
        group: ROTATE_KEY,
        payload: { requestedBy, activeKeyId: active.id },
        maxAttempts: 10,
      });
    });
    return { jobId: String(jobId) };
  }
}
