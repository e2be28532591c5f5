import {
  opshubAnalyticsReadPermission,
  type OpsHubAnalyticsOverview,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { parseInput } from '../../http/validation';
import {
  accessFilter,
  type AccessFilterOptions,
} from '../../rbac/accessFilter';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { overviewQuery, requestedWindow } from './analyticsInput';
import { decodeOverviewCursor, encodeOverviewCursor } from './overviewCursor';
import { overviewPage } from './overviewRows';

/**
 * `GET /analytics/overview?from=&to=&limit=&after=`: every tracked entity
 * the caller may read under `opshub.analytics.read` (decided in SQL, as
 * `GET /projects`), most deploys of the window first.
 */
export function overviewRoutes(deps: {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  access: AccessFilterOptions;
  now: () => number;
}) {
  const router = Router();
  router.get('/analytics/overview', async (req, res) => {
    const credentials = await deps.authorizer.user(req);
    const query = parseInput(overviewQuery, req.query, 'query');
    const { from, to } = requestedWindow(query, deps.now());
    const after = query.after ? decodeOverviewCursor(query.after) : undefined;
    const filter = await deps.authorizer.filter(
      credentials,
      opshubAnalyticsReadPermission,
    );
    const page =
      'none' in filter
        ? { items: [], next: null }
        : await overviewPage(deps.knex, {
            from,
            to,
            limit: query.limit,
            after,
            where:
              'criteria' in filter
                ? accessFilter(filter.criteria, deps.access)
                : undefined,
          });
    res.json({
      from,
      to,
      items: page.items,
      nextCursor: page.next && encodeOverviewCursor(page.next),
    } satisfies Omit<OpsHubAnalyticsOverview, 'items'> & { items: object[] });
  });
  return router;
}
