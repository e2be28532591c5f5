import type { Knex } from 'knex';
import { type ClientConfig, escapeIdentifier } from 'pg';

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

/**
 * What the knex pool's connections set when they connect, for a dedicated
 * connection that reads and writes the plugin's tables: knex's `searchPath`
 * (Backstage's `pluginDivisionMode: schema` puts each plugin in a schema of
 * its own) and Backstage's database `role`.
 */
export function pgSessionSettings(knex: Knex): string[] {
  const { searchPath, role } = knex.client.config as {
    searchPath?: string | string[];
    role?: string;
  };
  const settings: string[] = [];
  if (searchPath && searchPath.length > 0) {
    const schemas = Array.isArray(searchPath) ? searchPath : [searchPath];
    settings.push(
      `SET search_path TO ${schemas.map(escapeIdentifier).join(', ')}`,
    );
  }
  if (role) settings.push(`SET ROLE ${escapeIdentifier(role)}`);
  return settings;
}
