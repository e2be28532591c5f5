import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { summarizeDora } from './computeDora';
import { loadDoraSummary } from './loadDoraSummary';
import type {
  DoraOfEntities,
  DoraSummary,
  DoraOptions,
  DoraWindow,
} from './types';

/**
 * DORA's keys over `window` for a set of entities as a whole (a day with a
 * deploy counts once; incidents go to their own entity's deploys) and for
 * each of them, every requested entity included, from one load.
 */
export async function doraOfEntities(
  knex: Knex,
  query: { entityRefs: string[]; window: DoraWindow; options: DoraOptions },
): Promise<DoraOfEntities> {
  const summary = await loadDoraSummary(knex, query);
  const byEntity = new Map<string, OpsHubDoraMetrics>();
  for (const [entityRef, own] of summaryByEntity(summary, query.entityRefs)) {
    byEntity.set(entityRef, summarizeDora(own, query.window));
  }
  return { all: summarizeDora(summary, query.window), byEntity };
}

/** DORA's keys over `window` for one entity. */
export async function doraOfEntity(
  knex: Knex,
  query: { entityRef: string; window: DoraWindow; options: DoraOptions },
): Promise<OpsHubDoraMetrics> {
  const summary = await loadDoraSummary(knex, {
    entityRefs: [query.entityRef],
    window: query.window,
    options: query.options,
  });
  return summarizeDora(summary, query.window);
}

/** Each entity's own rows, in one pass over them. */
function summaryByEntity(
  summary: DoraSummary,
  entityRefs: string[],
): Map<string, DoraSummary> {
  const split = new Map<string, DoraSummary>();
  for (const entityRef of entityRefs) {
    split.set(entityRef, {
      deployDays: [],
      incidents: [],
      changes: [],
      githubCommitsReadable: summary.githubCommitsReadable,
    });
  }
  for (const d of summary.deployDays) {
    split.get(d.entityRef)?.deployDays.push(d);
  }
  for (const i of summary.incidents) split.get(i.entityRef)?.incidents.push(i);
  for (const c of summary.changes) split.get(c.entityRef)?.changes.push(c);
  return split;
}
