import { opshubAnalyticsReadPermission } from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { entityRefParam } from '../../http/entityRef';
import { parseInput } from '../../http/validation';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import type { DoraOptions } from '../dora/types';
import { entityAnalyticsQuery } from './analyticsInput';
import { entityDeployAnalytics } from './entityDeployAnalytics';

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
    res.json(await entityDeployAnalytics(deps, ref, query));
  });
  return router;
}
