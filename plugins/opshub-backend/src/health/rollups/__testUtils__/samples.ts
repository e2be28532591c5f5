import type { OpsHubProbeOutcome } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { slices } from '../../healthRows';
import { DatabaseHealthStore } from '../../DatabaseHealthStore';
import { errorClassToCode, outcomeToCode } from '../../sampleCodes';
import { newHealthCheck } from '../../__testUtils__/checkFixtures';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A raw sample as a test writes it: a success of 40 ms unless told. */
export interface SampleFixture {
  checkId: string;
  atMs: number;
  latencyMs?: number;
  outcome?: OpsHubProbeOutcome;
  inMaintenance?: boolean;
}

/** Writes samples as the probe writes lay them out, maintenance flag included. */
export async function insertSamples(
  knex: Knex,
  samples: SampleFixture[],
): Promise<void> {
  const rows = samples.map(s => ({
    at_ms: s.atMs,
    check_id: Number(s.checkId),
    latency_ms: s.latencyMs ?? 40,
    status_code: s.outcome === 'failure' ? 503 : 200,
    outcome: outcomeToCode(s.outcome ?? 'success'),
    error_class: s.outcome === 'failure' ? errorClassToCode('status') : null,
    in_maintenance: s.inMaintenance ?? false,
  }));
  // 7 columns a row, under SQLite's 999 variables a statement.
  for (const slice of slices(rows, 100)) {
    await knex('health_samples').insert(slice);
  }
}

/** Checks of component:default/storefront named as given, in order. */
export async function createChecks(
  knex: Knex,
  names: string[],
): Promise<string[]> {
  const store = new DatabaseHealthStore(knex);
  const ids: string[] = [];
  for (const name of names) {
    ids.push((await store.createCheck(newHealthCheck({ name }))).id);
  }
  return ids;
}

/** A check's rollup rows, oldest first, as plain numbers. */
export async function rollupRows(knex: Knex, checkId: string) {
  const rows = await knex('health_rollups')
    .where({ check_id: Number(checkId) })
    .orderBy('hour');
  const number = (value: unknown) => (value === null ? null : Number(value));
  return rows.map(row => ({
    hour: Number(row.hour),
    count: Number(row.count),
    failures: Number(row.failures),
    degraded: Number(row.degraded),
    p50: number(row.p50_latency_ms),
    p95: number(row.p95_latency_ms),
    p99: number(row.p99_latency_ms),
  }));
}
