import type { Knex } from 'knex';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** A deploy event to insert; times are ISO strings or epoch ms. */
export interface DeployEventFixture {
  entityRef?: string;
  environment?: string;
  environmentClass?: 'production' | 'preview';
  outcome?: 'succeeded' | 'failed' | 'cancelled' | 'superseded' | null;
  errorClass?: string | null;
  queuedAt: string | number;
  startedAt?: string | number | null;
  finishedAt?: string | number | null;
  /** Defaults to the latest known time of the deploy. */
  updatedAt?: string | number;
}

export const ENTITY = 'component:default/shop';

const at = (value: string | number) => new Date(value);

/**
 * A succeeded deploy queued at `queuedAt`, waiting `queueMs` then building
 * `buildMs` (total = queueMs + buildMs).
 */
export function succeeded(
  queuedAt: string | number,
  buildMs: number,
  queueMs = SECOND,
  extra: Partial<DeployEventFixture> = {},
): DeployEventFixture {
  const queued = at(queuedAt).getTime();
  return {
    queuedAt: queued,
    startedAt: queued + queueMs,
    finishedAt: queued + queueMs + buildMs,
    outcome: 'succeeded',
    ...extra,
  };
}

/** Inserts the events as the writers do (Date bindings); returns their ids. */
export async function insertDeployEvents(
  knex: Knex,
  fixtures: DeployEventFixture[],
): Promise<string[]> {
  if (fixtures.length === 0) return [];
  const rows = fixtures.map((f, i) => {
    const environmentClass = f.environmentClass ?? 'production';
    const latest = f.finishedAt ?? f.startedAt ?? f.queuedAt;
    const defaultClass = f.outcome === 'failed' ? 'build' : null;
    return {
      entity_ref: f.entityRef ?? ENTITY,
      environment:
        f.environment ??
        (environmentClass === 'preview' ? 'preview' : 'production'),
      environment_class: environmentClass,
      source: environmentClass === 'preview' ? 'preview' : 'github',
      provider: environmentClass === 'preview' ? 'mock' : 'github',
      repository: 'acme/shop',
      head_sha: `sha${i}`,
      queued_at: at(f.queuedAt),
      started_at:
        f.startedAt === undefined || f.startedAt === null
          ? null
          : at(f.startedAt),
      finished_at:
        f.finishedAt === undefined || f.finishedAt === null
          ? null
          : at(f.finishedAt),
      outcome: f.outcome === undefined ? 'succeeded' : f.outcome,
      error_class: f.errorClass === undefined ? defaultClass : f.errorClass,
      updated_at: at(f.updatedAt ?? latest),
    };
  });
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await knex('deploy_events')
      .insert(rows.slice(i, i + 500))
      .returning('id');
    ids.push(...inserted.map(r => String(r.id ?? r)));
  }
  return ids;
}

/** daily_deploy_stats' rows with numbers as numbers, by entity, class and day. */
export async function statsRows(knex: Knex) {
  const rows = await knex('daily_deploy_stats').orderBy([
    'entity_ref',
    'day',
    'environment_class',
  ]);
  const num = (v: unknown) => (v === null ? null : Number(v));
  return rows.map(r => ({
    entityRef: r.entity_ref,
    environmentClass: r.environment_class,
    day: r.day,
    total: num(r.total),
    succeeded: num(r.succeeded),
    failed: num(r.failed),
    cancelled: num(r.cancelled),
    superseded: num(r.superseded),
    totalP: [num(r.total_p50_ms), num(r.total_p95_ms), num(r.total_p99_ms)],
    buildP: [num(r.build_p50_ms), num(r.build_p95_ms), num(r.build_p99_ms)],
    errorClasses: JSON.parse(r.error_classes),
    computedAt: new Date(
      r.computed_at instanceof Date
        ? r.computed_at.getTime()
        : Number(r.computed_at),
    ).toISOString(),
  }));
}
