import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import { deployWindow } from '../metrics/deployWindow';
import type { DoraInputs, DoraOptions, DoraWindow } from './types';

/** Entities per statement: well under SQLite's bound variables. */
const ENTITIES_PER_QUERY = 500;

type Timestamp = Date | string | number;
const ms = (value: Timestamp) => toDate(value).getTime();

/**
 * What DORA's keys over `window` need for `entityRefs` (see DoraInputs):
 * successful production deploys and incidents from the window's start on,
 * and the merged pull requests first deployed in the window.
 */
export async function loadDoraInputs(
  knex: Knex,
  query: { entityRefs: string[]; window: DoraWindow; options: DoraOptions },
): Promise<DoraInputs> {
  const { startMs, endMs } = deployWindow(query.window.from, query.window.to);
  const start = new Date(startMs);
  const end = new Date(endMs);
  const inputs: DoraInputs = {
    deploys: [],
    incidents: [],
    changes: [],
    githubCommitsReadable: query.options.githubCommitsReadable,
  };
  const refs = [...new Set(query.entityRefs)];
  for (let i = 0; i < refs.length; i += ENTITIES_PER_QUERY) {
    const chunk = refs.slice(i, i + ENTITIES_PER_QUERY);
    const [deploys, incidents, changes] = await Promise.all([
      loadDeploys(knex, chunk, start),
      loadIncidents(knex, chunk, start, query.options.incidentStates),
      loadChanges(knex, chunk, start, end),
    ]);
    inputs.deploys.push(...deploys);
    inputs.incidents.push(...incidents);
    inputs.changes.push(...changes);
  }
  inputs.deploys.sort((a, b) => a.finishedAtMs - b.finishedAtMs);
  return inputs;
}

/** A successful production deploy of deploy_events `e`. */
function succeededInProduction(builder: Knex.QueryBuilder, e: string) {
  return builder
    .where(`${e}.environment_class`, 'production')
    .where(`${e}.outcome`, 'succeeded')
    .whereNotNull(`${e}.finished_at`);
}

async function loadDeploys(
  knex: Knex,
  entityRefs: string[],
  start: Date,
): Promise<DoraInputs['deploys']> {
  const rows: {
    id: string | number;
    entity_ref: string;
    finished_at: Timestamp;
  }[] = await succeededInProduction(
    knex('deploy_events as e')
      .select('e.id', 'e.entity_ref', 'e.finished_at')
      .whereIn('e.entity_ref', entityRefs)
      .where('e.finished_at', '>=', start),
    'e',
  );
  return rows.map(r => ({
    id: String(r.id),
    entityRef: r.entity_ref,
    finishedAtMs: ms(r.finished_at),
  }));
}

/** Incidents of the entities' own checks: preview checks watch a PR. */
async function loadIncidents(
  knex: Knex,
  entityRefs: string[],
  start: Date,
  states: DoraOptions['incidentStates'],
): Promise<DoraInputs['incidents']> {
  if (states.length === 0) return [];
  const rows = await knex('health_incidents as i')
    .join('health_checks as c', 'c.id', 'i.check_id')
    .select('i.id', 'i.entity_ref', 'i.opened_at', 'i.closed_at')
    .whereIn('i.entity_ref', entityRefs)
    .where('i.opened_at', '>=', start)
    .whereIn('i.state', states)
    .whereNot('c.source', 'preview');
  return rows.map(r => ({
    id: Number(r.id),
    entityRef: r.entity_ref,
    openedAtMs: ms(r.opened_at),
    closedAtMs: r.closed_at === null ? null : ms(r.closed_at),
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
