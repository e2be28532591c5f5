import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@opshub/plugin-opshub-backend',
  'migrations',
);

/** Brings the plugin's database to the newest schema. */
export async function migrateUp(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Undoes every migration; used by the migration tests. */
export async function migrateDownAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}

/**
 * Applies the pending migrations up to and including the one named
 * `<version>_…`; used by the migration tests to build an older schema.
 */
export async function migrateUpTo(knex: Knex, version: string): Promise<void> {
  for (;;) {
    const [, pending]: [unknown, Array<{ file: string }>] =
      await knex.migrate.list({ directory: migrationsDir });
    const next = pending[0]?.file;
    if (!next || next.split('_')[0] > version) return;
    await knex.migrate.up({ directory: migrationsDir });
  }
}

/** Undoes the newest applied migration; used by the migration tests. */
export async function migrateDownLast(knex: Knex): Promise<void> {
  await knex.migrate.down({ directory: migrationsDir });
}
