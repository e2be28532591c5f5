import type { OpsHubAnalyticsOverviewItem } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import type { DeployWindow } from '../metrics/deployWindow';
import type { OverviewPosition } from './overviewCursor';

type OverviewRow = {
  entity_ref: string;
  ref_key: string;
  deploys: number | string;
  succeeded: number | string;
  failed: number | string;
  cancelled: number | string;
};

/** An overview row's deploy numbers (its DORA ratings come apart). */
export type OverviewDeployNumbers = Omit<OpsHubAnalyticsOverviewItem, 'dora'>;

/** A page of the overview and where it ended. */
export interface OverviewPage {
  items: OverviewDeployNumbers[];
  /** The last row's position, when more rows follow. */
  next: OverviewPosition | null;
}

/**
 * The tracked projects `where` lets through (a filter on the `projects`
 * table, such as `accessFilter`), each with its deploys of the window from
 * `daily_deploy_stats` (class `all`; zeros without any), most deploys
 * first, then by entity ref. Stats rows match their project whatever the
 * case of their entity ref (each writer keeps the ref it was given). One query:
 * the filter, sums, ranking and page all run in the database.
 */
export async function overviewPage(
  knex: Knex,
  options: Pick<DeployWindow, 'from' | 'to'> & {
    limit: number;
    after?: OverviewPosition;
    where?: (query: Knex.QueryBuilder) => void;
  },
): Promise<OverviewPage> {
  const sums = knex('daily_deploy_stats')
    .select({ ref_key: knex.raw('lower(entity_ref)') })
    .sum({ deploys: 'total' })
    .sum({ succeeded: 'succeeded' })
    .sum({ failed: 'failed' })
    .sum({ cancelled: 'cancelled' })
    .where('environment_class', 'all')
    .whereBetween('day', [options.from, options.to])
    .groupByRaw('lower(entity_ref)')
    .as('sums');
  const zeroOr = (column: string) =>
    knex.raw('COALESCE(sums.??, 0) AS ??', [column, column]);
  const ranked = knex('projects')
    .select(
      'projects.entity_ref',
      knex.raw('lower(projects.entity_ref) AS ref_key'),
      zeroOr('deploys'),
      zeroOr('succeeded'),
      zeroOr('failed'),
      zeroOr('cancelled'),
    )
    .leftJoin(sums, 'sums.ref_key', knex.raw('lower(projects.entity_ref)'));
  if (options.where) ranked.where(options.where);

  const query = knex
    .select('*')
    .from(ranked.as('ranked'))
    .orderBy([
      { column: 'deploys', order: 'desc' },
      { column: 'ref_key', order: 'asc' },
    ])
    .limit(options.limit + 1);
  const { after } = options;
  if (after) {
    query.where(page =>
      page
        .where('deploys', '<', after.deploys)
        .orWhere(tie =>
          tie
            .where('deploys', after.deploys)
            .andWhere('ref_key', '>', after.refKey),
        ),
    );
  }
  const rows: OverviewRow[] = await query;
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    next:
      rows.length > options.limit && last
        ? { deploys: Number(last.deploys), refKey: last.ref_key }
        : null,
  };
}

function toItem(row: OverviewRow): OverviewDeployNumbers {
  const succeeded = Number(row.succeeded);
  const failed = Number(row.failed);
  const cancelled = Number(row.cancelled);
  const ended = succeeded + failed + cancelled;
  return {
    entityRef: row.entity_ref,
    deploys: Number(row.deploys),
    succeeded,
    failed,
    cancelled,
    successRate: ended > 0 ? succeeded / ended : null,
  };
}
