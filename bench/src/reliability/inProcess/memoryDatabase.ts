import knexFactory, { type Knex } from 'knex';
import { migrateUp } from '@opshub/plugin-opshub-backend/src/database/migrations';

/**
 * An in-memory SQLite database with OpsHub's tables, as the plugin's own
 * tests get it (foreign keys on): the in-process rows start OpsHub on it
 * (`mockServices.database.factory({ knex })`) and read every table back.
 * Knex's SQLite pool holds one connection, so the database lives until
 * `destroy()`.
 */
export async function memoryDatabase(): Promise<Knex> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  knex.client.pool.on(
    'createSuccess',
    (_id: unknown, connection: { exec(sql: string): void }) =>
      connection.exec('PRAGMA foreign_keys = ON'),
  );
  await migrateUp(knex);
  return knex;
}
