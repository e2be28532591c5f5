import type { OpsHubSummaryCounter } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';

/** An entity's previews by what the OpsHub tab counts. */
export interface PreviewCounts {
  /** Ready: a deploy anyone with the link can open. */
  live: number;
  /** Queued or building. */
  building: number;
  /** The last build failed. */
  failed: number;
}

/** The three counts of one entity's previews, in one query. */
export async function countPreviews(
  knex: Knex,
  entityRef: string,
): Promise<PreviewCounts> {
  const [row] = await knex('previews')
    .where({ entity_ref: entityRef })
    .select({
      live: knex.raw("count(case when state = 'ready' then 1 end)"),
      building: knex.raw(
        "count(case when state in ('queued', 'building') then 1 end)",
      ),
      failed: knex.raw("count(case when state = 'failed' then 1 end)"),
    });
  return {
    live: Number(row?.live ?? 0),
    building: Number(row?.building ?? 0),
    failed: Number(row?.failed ?? 0),
  };
}

/**
 * The summary's preview counters: live, building and failed previews of the
 * entity. The summary asks every counter at once; the three share one query
 * per entity while it runs (each summary reads afresh).
 */
export function previewCounters(knex: Knex): OpsHubSummaryCounter[] {
  const running = new Map<string, Promise<PreviewCounts>>();
  const countsOf = (entityRef: string) => {
    let counts = running.get(entityRef);
    if (!counts) {
      counts = countPreviews(knex, entityRef);
      running.set(entityRef, counts);
      const done = () => running.delete(entityRef);
      counts.then(done, done);
    }
    return counts;
  };
  const counter = (
    key: keyof PreviewCounts,
    title: string,
  ): OpsHubSummaryCounter => ({
    id: `previews.${key}`,
    title,
    count: async entityRef => (await countsOf(entityRef))[key],
  });
  return [
    counter('live', 'Live previews'),
    counter('building', 'Previews building'),
    counter('failed', 'Failed previews'),
  ];
}
