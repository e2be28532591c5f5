import type { Knex } from 'knex';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The tracked projects a week's digest goes to, sorted: those with a
 * deploy (any environment class, any outcome) queued in the week or the
 * week before (the digest compares the two), or a health incident opened
 * in the week. The others get none: a digest of zeros has nothing to say.
 * `from` and `to` are the week's first and last UTC dates.
 */
export async function digestEntityRefs(
  knex: Knex | Knex.Transaction,
  week: { from: string; to: string },
): Promise<string[]> {
  const weekStart = new Date(`${week.from}T00:00:00Z`);
  const weekEnd = new Date(Date.parse(`${week.to}T00:00:00Z`) + DAY_MS);
  const previousWeekStart = new Date(weekStart.getTime() - 7 * DAY_MS);
  return knex('projects as p')
    .where(active =>
      active
        .whereExists(deploys =>
          deploys
            .select(knex.raw('1'))
            .from('deploy_events as e')
            .whereRaw('e.entity_ref = p.entity_ref')
            .where('e.queued_at', '>=', previousWeekStart)
            .where('e.queued_at', '<', weekEnd),
        )
        .orWhereExists(incidents =>
          incidents
            .select(knex.raw('1'))
            .from('health_incidents as i')
            .whereRaw('i.entity_ref = p.entity_ref')
            .where('i.opened_at', '>=', weekStart)
            .where('i.opened_at', '<', weekEnd),
        ),
    )
    .orderBy('p.entity_ref')
    .pluck('p.entity_ref');
}
