import type { Knex } from 'knex';

/** Per table of the plugin's database: `<rows>:<sum of its row versions' hashes>`. */
export type Fingerprint = Map<string, string>;

/**
 * Reads every table of OpsHub's database (PostgreSQL, schema `public`) in
 * one query: its row count and the sum of the hashes of its row versions
 * (PostgreSQL writes a new version, with a new `ctid` and `xmin`, for every
 * insert and update).
 */
export async function fingerprinter(
  knex: Knex,
): Promise<() => Promise<Fingerprint>> {
  const tables: string[] = (
    await knex('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .orderBy('table_name')
      .pluck('table_name')
  ).filter(name => !name.startsWith('knex_migrations'));
  // Each row version is (ctid, xmin): a row inserted, updated or deleted
  // changes their summed hashes, without reading (or detoasting) rows.
  const query = tables
    .map(
      table =>
        `SELECT '${table}' AS name, count(*)::text || ':' || ` +
        `coalesce(sum(hashtext(t.ctid::text || t.xmin::text)::bigint), 0)::text AS print ` +
        `FROM "${table}" t`,
    )
    .join(' UNION ALL ');
  return async () => {
    const { rows } = await knex.raw<{
      rows: Array<{ name: string; print: string }>;
    }>(query);
    return new Map(rows.map(r => [r.name, r.print]));
  };
}

/** The tables whose print differs between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint) {
  return [...after.keys()].filter(name => before.get(name) !== after.get(name));
}
