import { opshubAnalyticsReadPermission } from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { entityRefParam } from '../../http/entityRef';
import { parseInput } from '../../http/validation';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { entityAnalytics } from '../metrics/entityAnalytics';
import { entityAnalyticsQuery, requestedWindow } from './analyticsInput';
import { trackedEntityRef } from './trackedEntityRef';

/**
 * `GET /entities/:kind/:namespace/:name/analytics?from=&to=&environment=`:
 * the entity's deploy metrics over a window of UTC days
 * (`opshub.analytics.read` on the entity).
 */
export function entityAnalyticsRoutes(deps: {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  now: () => number;
}) {
  const router = Router();
  router.get('/entities/:kind/:namespace/:name/analytics', async (req, res) => {
    const { ref } = entityRefParam(req);
    await deps.authorizer.authorize(req, opshubAnalyticsReadPermission, ref);
    const query = parseInput(entityAnalyticsQuery, req.query, 'query');
    const { from, to } = requestedWindow(query, deps.now());
    res.json(
      await entityAnalytics(deps.knex, {
        entityRef: await trackedEntityRef(deps.knex, ref),
        from,
        to,
        environmentClass: query.environment ?? null,
      }),
    );
  });
  return router;
}
