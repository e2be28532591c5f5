import type { Knex } from 'knex';

export type Query = { sql: string; bindings: unknown[] };

/** The queries `run` sends. */
export async function captured(
  knex: Knex,
  run: () => Promise<unknown>,
): Promise<Query[]> {
  const queries: Query[] = [];
  const capture = (query: { sql: string; bindings?: unknown[] }) =>
    queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', capture);
  try {
    await run();
  } finally {
    knex.removeListener('query', capture);
  }
  return queries;
}

/** The query's plan as text; PostgreSQL's tiny test tables are not read whole. */
export async function planOf(
  knex: Knex,
  id: string,
  { sql, bindings }: Query,
): Promise<string> {
  return knex.transaction(async trx => {
    if (id === 'POSTGRES_15') {
      await trx.raw('SET LOCAL enable_seqscan = off');
      const result = await trx.raw(
        `EXPLAIN ${sql.replace(/\$\d+/g, '?')}`,
        bindings as Knex.RawBinding[],
      );
      return result.rows
        .map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN'])
        .join('\n');
    }
    return JSON.stringify(
      await trx.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[]),
    );
  });
}

/**
 * health_samples read through health_samples_check_hour, its range bound
 * by both the check and the hour (not the check alone).
 */
export const SAMPLE_INDEX_PLAN: Record<string, RegExp> = {
  POSTGRES_15:
    /(Index (Only )?Scan using health_samples_check_hour on health_samples|Bitmap Index Scan on health_samples_check_hour)[^\n]*\n\s*Index Cond: \(\(check_id = [^\n]*\(\(at_ms \/ 3600000\)\)::integer [<>]=? /,
  SQLITE_3:
    /USING (COVERING )?INDEX health_samples_check_hour \(check_id=\? AND <expr>[<>]\?/,
};
