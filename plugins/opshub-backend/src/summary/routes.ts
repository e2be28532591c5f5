import { opshubProjectReadPermission } from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import { entityRefParam } from '../http/entityRef';
import type { ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { EntitySummaryService } from './EntitySummaryService';

export function summaryRoutes(deps: {
  authorizer: ProjectAuthorizer;
  summaries: EntitySummaryService;
}) {
  const router = Router();
  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const { kind, namespace, name, ref } = entityRefParam(req);
    const credentials = await deps.authorizer.authorize(
      req,
      opshubProjectReadPermission,
      ref,
    );
    res.json(
      await deps.summaries.getSummary({ kind, namespace, name }, credentials),
    );
  });
  return router;
}
