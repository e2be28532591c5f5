import type { Knex } from 'knex';
import { pidsNamed, processCpuSeconds } from './cpu';

/** CPU seconds so far of each PostgreSQL process that counts (see below). */
export type PostgresCpu = Map<number, number>;

/**
 * CPU seconds so far of PostgreSQL's processes, each on its own, leaving
 * out the connections to databases other than those starting with
 * `databasePrefix` (other work on a shared server: tests, other benches).
 * Background processes (WAL writer, checkpointer, autovacuum...) count: they
 * work for every database. Two snapshots give the CPU used in between by
 * the processes alive at the end (`postgresCpuBetween`); summing all
 * `postgres` processes instead goes wrong whenever a connection closes, as
 * its whole past CPU leaves the sum.
 */
export async function postgresCpuSnapshot(
  knex: Knex,
  databasePrefix: string,
): Promise<PostgresCpu> {
  const { rows } = await knex.raw(
    `SELECT pid FROM pg_stat_activity
      WHERE backend_type = 'client backend'
        AND NOT starts_with(coalesce(datname, ''), ?)`,
    [databasePrefix],
  );
  const others = new Set(rows.map((row: { pid: number }) => Number(row.pid)));
  return new Map(
    pidsNamed('postgres')
      .filter(pid => !others.has(pid))
      .map(pid => [pid, processCpuSeconds(pid)]),
  );
}

/**
 * CPU seconds between two snapshots: each process of the later one minus
 * what it had in the earlier one (0 when it started in between).
 */
export function postgresCpuBetween(
  before: PostgresCpu,
  after: PostgresCpu,
): number {
  let seconds = 0;
  for (const [pid, cpu] of after) {
    seconds += Math.max(0, cpu - (before.get(pid) ?? 0));
  }
  return seconds;
}
