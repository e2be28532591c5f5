import type { SealedValue } from './EnvVarCipher';

/** Which variable: `branch` is null for the environment's own value. */
export interface EnvVarKey {
  entityRef: string;
  environment: string;
  branch: string | null;
  name: string;
}

/** A variable's current value, sealed. */
export interface StoredEnvVar extends EnvVarKey {
  version: number;
  sensitive: boolean;
  sealed: SealedValue;
  updatedBy: string;
  updatedAt: Date;
}

/** One version of a variable; a delete has no value. */
export interface StoredEnvVarVersion {
  version: number;
  sensitive: boolean;
  deleted: boolean;
  sealed?: SealedValue;
  actor: string;
  comment: string | null;
  createdAt: Date;
}

/** A new version to write; `version` is the one the value was sealed for. */
export interface EnvVarWrite extends EnvVarKey {
  version: number;
  sensitive: boolean;
  sealed: SealedValue;
  actor: string;
  comment?: string | null;
}

/**
 * Environment variables as stored: only sealed values, never plaintext.
 * Each write and delete adds a version row in the same transaction as the
 * change to the current row; a version already taken (a concurrent write)
 * is a ConflictError and changes nothing.
 */
export interface EnvVarStore {
  /** An entity's current variables, optionally of one environment. */
  list(entityRef: string, environment?: string): Promise<StoredEnvVar[]>;
  get(key: EnvVarKey): Promise<StoredEnvVar | undefined>;
  /** The version the next write of the variable takes (deletes count). */
  nextVersion(key: EnvVarKey): Promise<number>;
  write(change: EnvVarWrite): Promise<StoredEnvVar>;
  /** Several writes in one transaction: all or none (an import). */
  writeAll(changes: EnvVarWrite[]): Promise<void>;
  /** Removes the current value, writing a deleted version; undefined if none. */
  delete(
    key: EnvVarKey & {
      version: number;
      actor: string;
      comment?: string | null;
    },
  ): Promise<StoredEnvVar | undefined>;
  /** Every version, newest first. */
  versions(key: EnvVarKey): Promise<StoredEnvVarVersion[]>;
  version(
    key: EnvVarKey,
    version: number,
  ): Promise<StoredEnvVarVersion | undefined>;
}
