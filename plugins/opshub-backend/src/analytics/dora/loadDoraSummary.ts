import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import { deployWindow } from '../metrics/deployWindow';
import { deployEventSql } from '../metrics/deployEventSql';
import type { DoraInputs, DoraOptions, DoraSummary, DoraWindow } from './types';

/** Entities per statement: well under SQLite's bound variables. */
const ENTITIES_PER_QUERY = 500;

type Timestamp = Date | string | number;
const ms = (value: Timestamp) => toDate(value).getTime();

/**
 * What DORA's keys over `window` need for `entityRefs`, summed up in SQL
 * (see DoraSummary): the window's successful production deploys counted
 * per entity and UTC day, the incidents opened from the window's start on
 * with the deploy each is attributed to, and the merged pull requests
 * first deployed in the window. No deploy is read one by one: an entity
 * with thousands of deploys costs a few rows per day.
 */
export async function loadDoraSummary(
  knex: Knex,
  query: { entityRefs: string[]; window: DoraWindow; options: DoraOptions },
): Promise<DoraSummary> {
  const { startMs, endMs } = deployWindow(query.window.from, query.window.to);
  const start = new Date(startMs);
  const end = new Date(endMs);
  const summary: DoraSummary = {
    deployDays: [],
    incidents: [],
    changes: [],
    githubCommitsReadable: query.options.githubCommitsReadable,
  };
  const refs = [...new Set(query.entityRefs)];
  for (let i = 0; i < refs.length; i += ENTITIES_PER_QUERY) {
    const chunk = refs.slice(i, i + ENTITIES_PER_QUERY);
    const [deployDays, incidents, changes] = await Promise.all([
      loadDeployDays(knex, chunk, start, end),
      loadIncidents(knex, chunk, start, query.options.incidentStates),
      loadChanges(knex, chunk, start, end),
    ]);
    summary.deployDays.push(...deployDays);
    summary.incidents.push(...incidents);
    summary.changes.push(...changes);
  }
  return summary;
}

/**
 * A successful production deploy of deploy_events `e`: the conditions as
 * literals, so that both databases read the partial index
 * deploy_events_production_succeeded (entity, finished, id).
 */
function succeededInProduction(builder: Knex.QueryBuilder, e: string) {
  return builder
    .whereRaw(
      `${e}.environment_class = 'production' AND ${e}.outcome = 'succeeded'`,
    )
    .whereNotNull(`${e}.finished_at`);
}

async function loadDeployDays(
  knex: Knex,
  entityRefs: string[],
  start: Date,
  end: Date,
): Promise<DoraSummary['deployDays']> {
  const day = deployEventSql(knex).utcDay('e.finished_at');
  const rows: { entity_ref: string; day: string; deploys: number | string }[] =
    await succeededInProduction(
      knex('deploy_events as e')
        .select('e.entity_ref', knex.raw(`${day} AS day`))
        .count({ deploys: '*' })
        .whereIn('e.entity_ref', entityRefs)
        .where('e.finished_at', '>=', start)
        .where('e.finished_at', '<', end)
        .groupBy('e.entity_ref', 'day'),
      'e',
    );
  return rows.map(r => ({
    entityRef: r.entity_ref,
    day: r.day,
    deploys: Number(r.deploys),
  }));
}

/**
 * Incidents of the entities' own checks (preview checks watch a PR), each
 * with the last successful production deploy of its entity finished
 * strictly before it opened (one index probe per incident).
 */
async function loadIncidents(
  knex: Knex,
  entityRefs: string[],
  start: Date,
  states: DoraOptions['incidentStates'],
): Promise<DoraSummary['incidents']> {
  if (states.length === 0) return [];
  const attributed = succeededInProduction(
    knex('deploy_events as e')
      .select('e.id')
      .whereRaw('e.entity_ref = i.entity_ref')
      .whereRaw('e.finished_at < i.opened_at'),
    'e',
  )
    .orderBy([
      { column: 'e.finished_at', order: 'desc' },
      { column: 'e.id', order: 'desc' },
    ])
    .limit(1);
  const incidents = knex('health_incidents as i')
    .join('health_checks as c', 'c.id', 'i.check_id')
    .select('i.id', 'i.entity_ref', 'i.opened_at', 'i.closed_at', {
      deploy_id: attributed,
    })
    .whereIn('i.entity_ref', entityRefs)
    .where('i.opened_at', '>=', start)
    .whereIn('i.state', states)
    .whereNot('c.source', 'preview')
    .as('a');
  const rows: {
    id: number | string;
    entity_ref: string;
    opened_at: Timestamp;
    closed_at: Timestamp | null;
    deploy_id: number | string | null;
    deploy_finished_at: Timestamp | null;
  }[] = await knex
    .select('a.*', { deploy_finished_at: 'd.finished_at' })
    .from(incidents)
    .leftJoin('deploy_events as d', 'd.id', 'a.deploy_id');
  return rows.map(r => ({
    id: Number(r.id),
    entityRef: r.entity_ref,
    openedAtMs: ms(r.opened_at),
    closedAtMs: r.closed_at === null ? null : ms(r.closed_at),
    deploy:
      r.deploy_id === null || r.deploy_finished_at === null
        ? null
        : { id: String(r.deploy_id), finishedAtMs: ms(r.deploy_finished_at) },
  }));
}

/**
 * Merged pull requests with a known first commit, each at the first
 * successful production deploy that brought its merge commit, kept when
 * that deploy finished in the window.
 */
async function loadChanges(
  knex: Knex,
  entityRefs: string[],
  start: Date,
  end: Date,
): Promise<DoraInputs['changes']> {
  const firstDeploy = knex.raw('MIN(e.finished_at)');
  const rows: {
    entity_ref: string;
    repository: string;
    pr_number: number | string;
    first_commit_at: Timestamp;
    deployed_at: Timestamp;
  }[] = await succeededInProduction(
    knex('merged_pull_requests as p')
      .join('deploy_commits as dc', join =>
        join
          .on('dc.entity_ref', 'p.entity_ref')
          .andOn('dc.sha', 'p.merge_commit_sha'),
      )
      .join('deploy_events as e', 'e.id', 'dc.deploy_event_id')
      .select(
        'p.entity_ref',
        'p.repository',
        'p.pr_number',
        'p.first_commit_at',
      )
      .select({ deployed_at: firstDeploy })
      .whereIn('p.entity_ref', entityRefs)
      .where('p.commits_status', 'known')
      .whereNotNull('p.first_commit_at')
      .groupBy(
        'p.entity_ref',
        'p.repository',
        'p.pr_number',
        'p.first_commit_at',
      )
      .having(firstDeploy, '>=', start)
      .having(firstDeploy, '<', end),
    'e',
  );
  return rows.map(r => ({
    entityRef: r.entity_ref,
    repository: r.repository,
    prNumber: Number(r.pr_number),
    firstCommitAtMs: ms(r.first_commit_at),
    deployedAtMs: ms(r.deployed_at),
  }));
}
