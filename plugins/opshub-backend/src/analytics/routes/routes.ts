import Router from 'express-promise-router';
import type { Knex } from 'knex';
import type { AccessFilterOptions } from '../../rbac/accessFilter';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { entityAnalyticsRoutes } from './entityAnalyticsRoutes';
import { overviewRoutes } from './overviewRoutes';

export interface AnalyticsRoutesOptions {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  /** What the overview's SQL access filter needs (as `GET /projects`). */
  access: AccessFilterOptions;
  now?: () => number;
}

/**
 * Deploy analytics: one entity's metrics over a window of UTC days, and
 * the overview of every entity the caller may read; both need
 * `opshub.analytics.read`, and neither changes anything.
 */
export function analyticsRoutes(deps: AnalyticsRoutesOptions) {
  const now = deps.now ?? Date.now;
  const router = Router();
  router.use(entityAnalyticsRoutes({ ...deps, now }));
  router.use(overviewRoutes({ ...deps, now }));
  return router;
}
