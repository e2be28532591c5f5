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
