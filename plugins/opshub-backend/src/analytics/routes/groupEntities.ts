import type { Knex } from 'knex';

const compare = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};

/**
 * The tracked projects `groupRef` owns (`projects.owner_ref`, lower case as
 * `groupRef` must be) that `where` lets through (a filter on the `projects`
 * table, such as `accessFilter`): their entity refs as OpsHub tracks them,
 * sorted case-insensitively.
 */
export async function groupEntityRefs(
  knex: Knex,
  options: { groupRef: string; where?: (query: Knex.QueryBuilder) => void },
): Promise<string[]> {
  const query = knex('projects')
    .select('projects.entity_ref')
    .where('projects.owner_ref', options.groupRef);
  if (options.where) query.where(options.where);
  const rows: { entity_ref: string }[] = await query;
  const key = (ref: string) => ref.toLocaleLowerCase('en-US');
  return rows
    .map(row => row.entity_ref)
    .sort((a, b) => compare(key(a), key(b)) || compare(a, b));
}
