import {
  DEPLOY_ERROR_CLASSES,
  type OpsHubDeployAnalytics,
  type OpsHubDeployEnvironmentClass,
  type OpsHubDeployErrorClass,
  type OpsHubDeployOutcome,
  type OpsHubDurationPercentiles,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import {
  type DeployEventSql,
  deployEventSql,
  errorClassOf,
  nearestRankValue,
  PERCENTILES,
  percentilesOnPostgres,
  rankedDurations,
  rankOver,
} from './deployEventSql';
import { type DeployEventRow, toDeployEvent } from './deployEventRows';
import { type DeployWindow, deployWindow } from './deployWindow';

/** The newest deploys of the window the analytics list. */
export const RECENT_DEPLOYS = 50;

export interface EntityAnalyticsQuery {
  entityRef: string;
  /** ISO dates, UTC, both included. */
  from: string;
  to: string;
  /** Null: every class. */
  environmentClass: OpsHubDeployEnvironmentClass | null;
}

/** The entity's events of the window, through (entity_ref, queued_at). */
function windowEvents(
  knex: Knex,
  query: EntityAnalyticsQuery,
  window: DeployWindow,
) {
  const events = knex('deploy_events as e')
    .where('e.entity_ref', query.entityRef)
    .where('e.queued_at', '>=', new Date(window.startMs))
    .where('e.queued_at', '<', new Date(window.endMs));
  if (query.environmentClass) {
    events.where('e.environment_class', query.environmentClass);
  }
  return events;
}

type CountRow = {
  day: string;
  outcome: string | null;
  error_class: string | null;
  count: number | string;
};

/** Deploys per day, outcome and (for failures) class. */
const countRows = (
  sql: DeployEventSql,
  events: Knex.QueryBuilder,
): Promise<CountRow[]> =>
  events
    .select(
      events.client.raw(`${sql.utcDay('e.queued_at')} AS day`),
      'e.outcome',
      events.client.raw(`${errorClassOf('e')} AS error_class`),
    )
    .count({ count: '*' })
    .groupBy('day', 'e.outcome', 'error_class');

/** P50/P95/P99 of total and build time, ranked in one statement. */
async function percentileRows(
  knex: Knex,
  sql: DeployEventSql,
  events: Knex.QueryBuilder,
): Promise<Record<'total' | 'build', OpsHubDurationPercentiles>> {
  const metrics = ['total', 'build'] as const;
  const row = sql.isPostgres
    ? await percentilesOnPostgresRow(knex, events)
    : await rankedPercentilesRow(knex, sql, events);
  const ms = (value: unknown) =>
    value === null || value === undefined ? null : Number(value);
  const of = (m: (typeof metrics)[number]) => ({
    p50Ms: ms(row?.[`${m}_p50`]),
    p95Ms: ms(row?.[`${m}_p95`]),
    p99Ms: ms(row?.[`${m}_p99`]),
  });
  return { total: of('total'), build: of('build') };
}

/** PostgreSQL: the percentiles in one aggregate pass over the events. */
async function percentilesOnPostgresRow(
  knex: Knex,
  events: Knex.QueryBuilder,
): Promise<Record<string, unknown> | undefined> {
  const { arrays, columns } = percentilesOnPostgres('e');
  const times = events.select(
    knex.raw(`${arrays.total} AS total_times`),
    knex.raw(`${arrays.build} AS build_times`),
  );
  const [row] = await knex
    .from(times.as('t'))
    .select(columns.map(column => knex.raw(column)));
  return row;
}

/** Portable: the percentiles from every duration's rank. */
async function rankedPercentilesRow(
  knex: Knex,
  sql: DeployEventSql,
  events: Knex.QueryBuilder,
): Promise<Record<string, unknown> | undefined> {
  const { totalMs, buildMs } = rankedDurations(sql, 'e');
  const durations = events.select(
    knex.raw(`${totalMs} AS total_ms`),
    knex.raw(`${buildMs} AS build_ms`),
  );
  const ranked = knex
    .from(durations.as('d'))
    .select(
      'total_ms',
      'build_ms',
      knex.raw(rankOver('total_ms', 'total')),
      knex.raw(rankOver('build_ms', 'build')),
    );
  const metrics = ['total', 'build'] as const;
  const [row] = await knex
    .from(ranked.as('r'))
    .select(
      metrics.flatMap(m =>
        PERCENTILES.map(p =>
          knex.raw(`${nearestRankValue(p, `${m}_ms`, m)} AS ${m}_p${p}`),
        ),
      ),
    );
  return row;
}

function summarize(window: DeployWindow, rows: CountRow[]) {
  const byDay = new Map(
    window.days.map(date => [
      date,
      { date, succeeded: 0, failed: 0, cancelled: 0 },
    ]),
  );
  const deploys = {
    total: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    superseded: 0,
  };
  const classes = new Map<OpsHubDeployErrorClass, number>();
  for (const row of rows) {
    const count = Number(row.count);
    deploys.total += count;
    const outcome = row.outcome as OpsHubDeployOutcome | null;
    if (outcome === null) continue;
    deploys[outcome] += count;
    const day = byDay.get(row.day);
    if (day && outcome !== 'superseded') day[outcome] += count;
    if (row.error_class) {
      const errorClass = row.error_class as OpsHubDeployErrorClass;
      classes.set(errorClass, (classes.get(errorClass) ?? 0) + count);
    }
  }
  const ended = deploys.succeeded + deploys.failed + deploys.cancelled;
  return {
    deploys: {
      ...deploys,
      successRate: ended === 0 ? null : deploys.succeeded / ended,
      byDay: [...byDay.values()],
    },
    errorClasses: DEPLOY_ERROR_CLASSES.filter(c => classes.has(c))
      .map(c => ({ class: c, count: classes.get(c)! }))
      .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class)),
  };
}

/**
 * One entity's deploy analytics over a window of UTC days, from the raw
 * events queued in it (read through the (entity_ref, queued_at) index).
 * Throws InputError for a window that is not `from` ≤ `to`, ISO dates,
 * at most 400 days.
 */
export async function entityAnalytics(
  knex: Knex,
  query: EntityAnalyticsQuery,
): Promise<Omit<OpsHubDeployAnalytics, 'dora'>> {
  const window = deployWindow(query.from, query.to);
  const sql = deployEventSql(knex);
  const events = () => windowEvents(knex, query, window);
  const [counts, percentiles, recent] = await Promise.all([
    countRows(sql, events()),
    percentileRows(knex, sql, events()),
    events()
      .select('e.*')
      .orderBy([
        { column: 'e.queued_at', order: 'desc' },
        { column: 'e.id', order: 'desc' },
      ])
      .limit(RECENT_DEPLOYS) as Promise<DeployEventRow[]>,
  ]);
  return {
    from: window.from,
    to: window.to,
    environment: query.environmentClass,
    ...summarize(window, counts),
    totalTime: percentiles.total,
    buildTime: percentiles.build,
    recent: recent.map(toDeployEvent),
  };
}
