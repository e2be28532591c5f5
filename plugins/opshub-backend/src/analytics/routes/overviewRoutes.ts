import {
  opshubAnalyticsReadPermission,
  type OpsHubAnalyticsOverview,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { parseInput } from '../../http/validation';
import {
  type AccessFilterOptions,
  readableProjectsWhere,
} from '../../rbac/accessFilter';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { doraOfEntities } from '../dora/doraOfEntities';
import type { DoraOptions } from '../dora/types';
import { overviewQuery, requestedWindow } from './analyticsInput';
import { doraOfMember, ratingsOfDora } from './entityDora';
import { decodeOverviewCursor, encodeOverviewCursor } from './overviewCursor';
import { overviewPage } from './overviewRows';

/**
 * `GET /analytics/overview?from=&to=&limit=&after=`: every tracked entity
 * the caller may read under `opshub.analytics.read` (decided in SQL, as
 * `GET /projects`), most deploys of the window first, each with its DORA
 * ratings over the window (computed for the page's entities at once).
 */
export function overviewRoutes(deps: {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  access: AccessFilterOptions;
  dora: DoraOptions;
  now: () => number;
}) {
  const router = Router();
  router.get('/analytics/overview', async (req, res) => {
    const credentials = await deps.authorizer.caller(req);
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
            where: readableProjectsWhere(filter, deps.access),
          });
    const dora = await doraOfEntities(deps.knex, {
      entityRefs: page.items.map(item => item.entityRef),
      window: { from, to },
      options: deps.dora,
    });
    res.json({
      from,
      to,
      items: page.items.map(item => ({
        ...item,
        dora: ratingsOfDora(doraOfMember(dora, item.entityRef)),
      })),
      nextCursor: page.next && encodeOverviewCursor(page.next),
    } satisfies OpsHubAnalyticsOverview);
  });
  return router;
}
