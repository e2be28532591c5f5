import type { EnvVarCipher } from './EnvVarCipher';
import type { EnvVarStore, StoredEnvVar } from './EnvVarStore';

/** The environment whose variables previews are built with. */
export const PREVIEW_ENVIRONMENT = 'preview';

/**
 * The variables a preview of `branch` is built with, still sealed: the
 * `preview` environment's own values overlaid by that branch's overrides.
 * No other environment is ever read.
 */
export async function previewVariablesOf(
  store: EnvVarStore,
  entityRef: string,
  branch: string,
): Promise<StoredEnvVar[]> {
  const rows = await store.list(entityRef, PREVIEW_ENVIRONMENT);
  const byName = new Map<string, StoredEnvVar>();
  for (const row of rows) {
    if (row.environment !== PREVIEW_ENVIRONMENT) continue;
    if (row.branch === null && !byName.has(row.name)) byName.set(row.name, row);
  }
  for (const row of rows) {
    if (row.environment !== PREVIEW_ENVIRONMENT) continue;
    if (row.branch === branch) byName.set(row.name, row);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Opens sealed variables in memory. A value that does not open throws an
 * error naming the variable, never a value.
 */
export async function openVariables(
  cipher: EnvVarCipher,
  rows: StoredEnvVar[],
): Promise<Array<{ name: string; value: string; sensitive: boolean }>> {
  const opened = [];
  for (const row of rows) {
    let value: string;
    try {
      value = await cipher.open(row.sealed, {
        entityRef: row.entityRef,
        environment: row.environment,
        branch: row.branch,
        name: row.name,
        version: row.version,
      });
    } catch {
      throw new Error(
        `${row.name} (${
          row.branch === null
            ? 'environment preview'
            : `preview override of branch ${row.branch}`
        }) could not be decrypted: is the key that sealed it (${
          row.sealed.keyId
        }) in opshub.encryption.keys?`,
      );
    }
    opened.push({ name: row.name, value, sensitive: row.sensitive });
  }
  return opened;
}
