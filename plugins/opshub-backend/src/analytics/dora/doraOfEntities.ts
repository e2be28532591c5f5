import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { computeDora } from './computeDora';
import { loadDoraInputs } from './loadDoraInputs';
import type {
  DoraInputs,
  DoraOfEntities,
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
  const inputs = await loadDoraInputs(knex, query);
  const split = inputsByEntity(inputs, query.entityRefs);
  const byEntity = new Map<string, OpsHubDoraMetrics>();
  for (const [entityRef, own] of split) {
    byEntity.set(entityRef, computeDora(own, query.window));
  }
  return { all: computeDora(inputs, query.window), byEntity };
}

/** DORA's keys over `window` for one entity. */
export async function doraOfEntity(
  knex: Knex,
  query: { entityRef: string; window: DoraWindow; options: DoraOptions },
): Promise<OpsHubDoraMetrics> {
  const inputs = await loadDoraInputs(knex, {
    entityRefs: [query.entityRef],
    window: query.window,
    options: query.options,
  });
  return computeDora(inputs, query.window);
}

/** Each entity's own inputs, in one pass over the rows. */
function inputsByEntity(
  inputs: DoraInputs,
  entityRefs: string[],
): Map<string, DoraInputs> {
  const split = new Map<string, DoraInputs>();
  for (const entityRef of entityRefs) {
    split.set(entityRef, {
      deploys: [],
      incidents: [],
      changes: [],
      githubCommitsReadable: inputs.githubCommitsReadable,
    });
  }
  for (const d of inputs.deploys) split.get(d.entityRef)?.deploys.push(d);
  for (const i of inputs.incidents) split.get(i.entityRef)?.incidents.push(i);
  for (const c of inputs.changes) split.get(c.entityRef)?.changes.push(c);
  return split;
}
