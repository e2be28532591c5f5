import type { Knex } from 'knex';

/**
 * The entity ref as OpsHub tracks it (`projects.entity_ref`, in the case
 * the catalog gave it, which is how deploy events and their daily stats
 * store it) for a route's lower-case ref; the ref itself for an entity
 * OpsHub does not track. Lets the metrics read their index by exact ref.
 */
export async function trackedEntityRef(
  knex: Knex,
  entityRef: string,
): Promise<string> {
  const row: { entity_ref: string } | undefined = await knex('projects')
    .whereRaw('lower(entity_ref) = ?', [entityRef.toLocaleLowerCase('en-US')])
    .first('entity_ref');
  return row?.entity_ref ?? entityRef;
}
