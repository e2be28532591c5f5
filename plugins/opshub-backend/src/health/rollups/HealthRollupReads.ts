import type { OpsHubHealthRollup } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import {
  HOUR_MS,
  IdQueries,
  nullableNumber,
  parseCheckId,
} from '../healthRows';

type RollupRow = {
  hour: number | string;
  count: number | string;
  failures: number | string;
  degraded: number | string;
  p50_latency_ms: number | string | null;
  p95_latency_ms: number | string | null;
  p99_latency_ms: number | string | null;
};

/** Probes and probes that did not fail, per check, as rollups count them. */
export type RollupUpCounts = {
  check_id: number | string;
  week_probes: number | string | null;
  week_up: number | string | null;
  month_probes: number | string | null;
  month_up: number | string | null;
};

export function toRollup(row: RollupRow): OpsHubHealthRollup {
  return {
    hour: new Date(Number(row.hour) * HOUR_MS).toISOString(),
    count: Number(row.count),
    failures: Number(row.failures),
    degraded: Number(row.degraded),
    p50LatencyMs: nullableNumber(row.p50_latency_ms),
    p95LatencyMs: nullableNumber(row.p95_latency_ms),
    p99LatencyMs: nullableNumber(row.p99_latency_ms),
  };
}

/** What the routes and uptime read of health_rollups, by (check, hour). */
export class HealthRollupReads {
  private readonly ids: IdQueries;

  constructor(private readonly knex: Knex) {
    this.ids = new IdQueries(knex.client.config.client === 'pg');
  }

  /** The check's rollups of the hours that overlap `[fromMs, toMs)`, oldest first. */
  async list(
    checkId: string,
    range: { fromMs: number; toMs: number },
  ): Promise<OpsHubHealthRollup[]> {
    const id = parseCheckId(checkId);
    if (id === undefined) return [];
    const rows: RollupRow[] = await this.knex('health_rollups')
      .select(
        'hour',
        'count',
        'failures',
        'degraded',
        'p50_latency_ms',
        'p95_latency_ms',
        'p99_latency_ms',
      )
      .where({ check_id: id })
      .where('hour', '>=', Math.floor(range.fromMs / HOUR_MS))
      .where('hour', '<', Math.ceil(range.toMs / HOUR_MS))
      .orderBy('hour');
    return rows.map(toRollup);
  }

  /**
   * Per check, the probes and those that did not fail in the rollups of
   * the hours `[monthFromHour, beforeHour)`, and of those from
   * `weekFromHour` on.
   */
  async upCounts(
    checkIds: number[],
    hours: { weekFromHour: number; monthFromHour: number; beforeHour: number },
  ): Promise<RollupUpCounts[]> {
    const inWeek = 'CASE WHEN hour >= ? THEN';
    return (await this.ids.byIds(checkIds, slice =>
      this.ids
        .whereIdIn(this.knex('health_rollups'), 'check_id', slice)
        .select(
          'check_id',
          this.knex.raw(`SUM(${inWeek} count ELSE 0 END) AS week_probes`, [
            hours.weekFromHour,
          ]),
          this.knex.raw(
            `SUM(${inWeek} count - failures ELSE 0 END) AS week_up`,
            [hours.weekFromHour],
          ),
          this.knex.raw('SUM(count) AS month_probes'),
          this.knex.raw('SUM(count - failures) AS month_up'),
        )
        .where('hour', '>=', hours.monthFromHour)
        .where('hour', '<', hours.beforeHour)
        .groupBy('check_id'),
    )) as RollupUpCounts[];
  }
}
