import knexFactory, { type Knex } from 'knex';

/** The PostgreSQL server the benchmarks use; loopback only. */
export const PG_URL =
  process.env.OPSHUB_BENCH_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

/** Drops and creates a database for one benchmark system. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = knexFactory({ client: 'pg', connection: `${PG_URL}/postgres` });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  return `${PG_URL}/${name}`;
}

/**
 * Writes out every dirty buffer now, as pgbench does before a run, so the
 * checkpoint a previous system's heavy run triggered (and its fsync stalls)
 * does not land in the next system's measurement.
 */
export async function checkpoint(): Promise<void> {
  const admin = connect(`${PG_URL}/postgres`, 1);
  try {
    await admin.raw('CHECKPOINT');
  } finally {
    await admin.destroy();
  }
}

export function connect(url: string, max = 10): Knex {
  // Connections are kept: reconnects would show up as latency spikes.
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: Math.min(2, max), max, idleTimeoutMillis: 600_000 },
  });
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
