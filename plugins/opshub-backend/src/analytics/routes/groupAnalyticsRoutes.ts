import {
  opshubAnalyticsReadPermission,
  type OpsHubGroupAnalytics,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { groupRefParam } from '../../http/entityRef';
import { parseInput } from '../../http/validation';
import {
  type AccessFilterOptions,
  readableProjectsWhere,
} from '../../rbac/accessFilter';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { doraOfEntities } from '../dora/doraOfEntities';
import type { DoraOptions } from '../dora/types';
import { groupAnalyticsQuery, requestedWindow } from './analyticsInput';
import { doraOfMember } from './entityDora';
import { groupEntityRefs } from './groupEntities';

/**
 * `GET /analytics/groups/:namespace/:name?from=&to=`: DORA's keys over a
 * window for the tracked entities the group owns (its catalog `spec.owner`)
 * that the caller may read under `opshub.analytics.read` (decided in SQL,
 * as the overview), together and one by one. A group owning nothing the
 * caller may read answers with no entities, as a group owning nothing.
 */
export function groupAnalyticsRoutes(deps: {
  authorizer: ProjectAuthorizer;
  knex: Knex;
  access: AccessFilterOptions;
  dora: DoraOptions;
  now: () => number;
}) {
  const router = Router();
  router.get('/analytics/groups/:namespace/:name', async (req, res) => {
    const credentials = await deps.authorizer.caller(req);
    const { ref: groupRef } = groupRefParam(req);
    const query = parseInput(groupAnalyticsQuery, req.query, 'query');
    const { from, to } = requestedWindow(query, deps.now());
    const filter = await deps.authorizer.filter(
      credentials,
      opshubAnalyticsReadPermission,
    );
    const entities =
      'none' in filter
        ? []
        : await groupEntityRefs(deps.knex, {
            groupRef,
            where: readableProjectsWhere(filter, deps.access),
          });
    const dora = await doraOfEntities(deps.knex, {
      entityRefs: entities,
      window: { from, to },
      options: deps.dora,
    });
    res.json({
      groupRef,
      from,
      to,
      entities,
      dora: dora.all,
      byEntity: entities.map(entityRef => ({
        entityRef,
        dora: doraOfMember(dora, entityRef),
      })),
    } satisfies OpsHubGroupAnalytics);
  });
  return router;
}
