import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import type { SealedValue } from './EnvVarCipher';
import type {
  EnvVarKey,
  EnvVarStore,
  EnvVarWrite,
  StoredEnvVar,
  StoredEnvVarVersion,
} from './EnvVarStore';

type Timestamp = Date | string | number;
type SealedColumns = {
  ciphertext: Buffer | null;
  iv: Buffer | null;
  tag: Buffer | null;
  key_id: string | null;
};
type CurrentRow = SealedColumns & {
  entity_ref: string;
  environment: string;
  branch: string;
  name: string;
  version: number;
  sensitive: boolean | number;
  updated_by: string;
  updated_at: Timestamp;
};
type VersionRow = SealedColumns & {
  version: number;
  sensitive: boolean | number;
  deleted: boolean | number;
  actor: string;
  comment: string | null;
  created_at: Timestamp;
};

/** The key columns of a variable ('' is "no branch" in the database). */
function keyColumns(key: EnvVarKey) {
  return {
    entity_ref: key.entityRef,
    environment: key.environment,
    branch: key.branch ?? '',
    name: key.name,
  };
}

function sealedColumns(sealed: SealedValue) {
  return {
    ciphertext: sealed.ciphertext,
    iv: sealed.iv,
    tag: sealed.tag,
    key_id: sealed.keyId,
  };
}

function toSealed(row: SealedColumns): SealedValue | undefined {
  if (!row.ciphertext || !row.iv || !row.tag || !row.key_id) return undefined;
  return {
    ciphertext: Buffer.from(row.ciphertext),
    iv: Buffer.from(row.iv),
    tag: Buffer.from(row.tag),
    keyId: row.key_id,
  };
}

function toEnvVar(row: CurrentRow): StoredEnvVar {
  return {
    entityRef: row.entity_ref,
    environment: row.environment,
    branch: row.branch === '' ? null : row.branch,
    name: row.name,
    version: Number(row.version),
    sensitive: Boolean(row.sensitive),
    sealed: toSealed(row)!,
    updatedBy: row.updated_by,
    updatedAt: toDate(row.updated_at),
  };
}

function toVersion(row: VersionRow): StoredEnvVarVersion {
  return {
    version: Number(row.version),
    sensitive: Boolean(row.sensitive),
    deleted: Boolean(row.deleted),
    sealed: toSealed(row),
    actor: row.actor,
    comment: row.comment ?? null,
    createdAt: toDate(row.created_at),
  };
}

/** The env_vars and env_var_versions tables. */
export class DatabaseEnvVarStore implements EnvVarStore {
  constructor(private readonly knex: Knex) {}

  async list(entityRef: string, environment?: string) {
    const query = this.knex<CurrentRow>('env_vars').where({
      entity_ref: entityRef,
    });
    if (environment) query.andWhere({ environment });
    const rows: CurrentRow[] = await query.orderBy([
      'environment',
      'name',
      'branch',
    ]);
    return rows.map(toEnvVar);
  }

  async get(key: EnvVarKey) {
    const row: CurrentRow | undefined = await this.knex<CurrentRow>('env_vars')
      .where(keyColumns(key))
      .first();
    return row ? toEnvVar(row) : undefined;
  }

  async nextVersion(key: EnvVarKey) {
    const row = await this.knex('env_var_versions')
      .where(keyColumns(key))
      .max({ max: 'version' })
      .first();
    return Number(row?.max ?? 0) + 1;
  }

  /**
   * The version row first: its unique index lets one writer of a version
   * through; the loser's transaction rolls back and it gets a 409.
   */
  private async insertVersion(
    trx: Knex.Transaction,
    row: Record<string, unknown>,
  ) {
    const inserted = await trx('env_var_versions')
      .insert(row)
      .onConflict(['entity_ref', 'environment', 'branch', 'name', 'version'])
      .ignore()
      .returning('id');
    if (inserted.length === 0) {
      throw new ConflictError(
        'The variable changed meanwhile; reload and try again',
      );
    }
  }

  async write(change: EnvVarWrite): Promise<StoredEnvVar> {
    await this.knex.transaction(trx => this.writeIn(trx, change));
    return (await this.get(change))!;
  }

  async writeAll(changes: EnvVarWrite[]): Promise<void> {
    if (changes.length === 0) return;
    await this.knex.transaction(async trx => {
      for (const change of changes) await this.writeIn(trx, change);
    });
  }

  private async writeIn(trx: Knex.Transaction, change: EnvVarWrite) {
    const key = keyColumns(change);
    const now = new Date();
    const sealed = sealedColumns(change.sealed);
    const latest = await trx('env_var_versions')
      .where(key)
      .max({ max: 'version' })
      .first();
    if (Number(latest?.max ?? 0) >= change.version) {
      throw new ConflictError(
        'The variable changed meanwhile; reload and try again',
      );
    }
    await this.insertVersion(trx, {
      ...key,
      version: change.version,
      sensitive: change.sensitive,
      deleted: false,
      ...sealed,
      actor: change.actor,
      comment: change.comment ?? null,
      created_at: now,
    });
    const current = {
      version: change.version,
      sensitive: change.sensitive,
      ...sealed,
      updated_by: change.actor,
      updated_at: now,
    };
    const updated = await trx('env_vars').where(key).update(current);
    if (updated === 0) {
      await trx('env_vars').insert({ ...key, ...current });
    }
  }

  async delete(
    key: EnvVarKey & {
      version: number;
      actor: string;
      comment?: string | null;
    },
  ) {
    const columns = keyColumns(key);
    return this.knex.transaction(async trx => {
      const row: CurrentRow | undefined = await trx<CurrentRow>('env_vars')
        .where(columns)
        .first();
      if (!row) return undefined;
      if (Number(row.version) >= key.version) {
        throw new ConflictError(
          'The variable changed meanwhile; reload and try again',
        );
      }
      await this.insertVersion(trx, {
        ...columns,
        version: key.version,
        sensitive: Boolean(row.sensitive),
        deleted: true,
        ciphertext: null,
        iv: null,
        tag: null,
        key_id: null,
        actor: key.actor,
        comment: key.comment ?? null,
        created_at: new Date(),
      });
      const removed = await trx('env_vars')
        .where({ ...columns, version: row.version })
        .delete();
      if (removed === 0) {
        throw new ConflictError(
          'The variable changed meanwhile; reload and try again',
        );
      }
      return toEnvVar(row);
    });
  }

  async versions(key: EnvVarKey) {
    const rows: VersionRow[] = await this.knex('env_var_versions')
      .where(keyColumns(key))
      .orderBy('version', 'desc');
    return rows.map(toVersion);
  }

  async version(key: EnvVarKey, version: number) {
    const row: VersionRow | undefined = await this.knex('env_var_versions')
      .where({ ...keyColumns(key), version })
      .first();
    return row ? toVersion(row) : undefined;
  }
}
