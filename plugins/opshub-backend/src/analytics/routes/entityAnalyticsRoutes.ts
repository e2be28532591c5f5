import {
  opshubAnalyticsReadPermission,
  type OpsHubDeployAnalytics,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { entityRefParam } from '../../http/entityRef';
import { parseInput } from '../../http/validation';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { doraOfEntity } from '../dora/doraOfEntities';
import type { DoraOptions } from '../dora/types';
import { entityAnalytics } from '../metrics/entityAnalytics';
import { entityAnalyticsQuery, requestedWindow } from './analyticsInput';
import { trackedEntityRef } from './trackedEntityRef';

/**
 * `GET /entities/:kind/:namespace/:name/analytics?from=&to=&environment=`:
 * the entity's deploy metrics over a window of UTC days, and DORA's keys
 * over the same window (production deploys, whatever the environment)
 * (`opshub.analytics.read` on the entity).
 */
export function entityAnalyticsRoutes(deps: {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  dora: DoraOptions;
  now: () => number;
}) {
  const router = Router();
  router.get('/entities/:kind/:namespace/:name/analytics', async (req, res) => {
    const { ref } = entityRefParam(req);
    await deps.authorizer.authorize(req, opshubAnalyticsReadPermission, ref);
    const query = parseInput(entityAnalyticsQuery, req.query, 'query');
    const { from, to } = requestedWindow(query, deps.now());
    const entityRef = await trackedEntityRef(deps.knex, ref);
    const [metrics, dora] = await Promise.all([
      entityAnalytics(deps.knex, {
        entityRef,
        from,
        to,
        environmentClass: query.environment ?? null,
      }),
      doraOfEntity(deps.knex, {
        entityRef,
        window: { from, to },
        options: deps.dora,
      }),
    ]);
    res.json({ ...metrics, dora } satisfies OpsHubDeployAnalytics);
  });
  return router;
}
