import Router from 'express-promise-router';
import type { Knex } from 'knex';
import type { AccessFilterOptions } from '../../rbac/accessFilter';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import type { DoraOptions } from '../dora/types';
import { entityAnalyticsRoutes } from './entityAnalyticsRoutes';
import { groupAnalyticsRoutes } from './groupAnalyticsRoutes';
import { overviewRoutes } from './overviewRoutes';

export interface AnalyticsRoutesOptions {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  /** What the list routes' SQL access filter needs (as `GET /projects`). */
  access: AccessFilterOptions;
  /** What DORA's keys are loaded with. */
  dora: DoraOptions;
  now?: () => number;
}

/**
 * Deploy analytics: one entity's metrics and DORA keys over a window of UTC
 * days, the overview of every entity the caller may read, and a group's
 * DORA keys over the entities it owns that the caller may read; all need
 * `opshub.analytics.read`, and none changes anything.
 */
export function analyticsRoutes(deps: AnalyticsRoutesOptions) {
  const now = deps.now ?? Date.now;
  const router = Router();
  router.use(entityAnalyticsRoutes({ ...deps, now }));
  router.use(overviewRoutes({ ...deps, now }));
  router.use(groupAnalyticsRoutes({ ...deps, now }));
  return router;
}
