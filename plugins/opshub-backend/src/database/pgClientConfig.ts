import type { Knex } from 'knex';
import type { ClientConfig } from 'pg';

/**
 * The connection settings of a knex PostgreSQL client, for a dedicated
 * `pg` connection outside its pool.
 */
export function pgClientConfig(knex: Knex): ClientConfig {
  const settings = (knex.client as { connectionSettings: unknown })
    .connectionSettings;
  return typeof settings === 'string'
    ? { connectionString: settings }
    : { ...(settings as ClientConfig) };
}
