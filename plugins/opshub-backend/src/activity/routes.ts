import Router from 'express-promise-router';
import {
  opshubProjectReadPermission,
  opshubAdminPermission,
  OPSHUB_INSTALLATION_REF,
} from '@opshub/plugin-opshub-common';
import { z } from 'zod';
import { entityRefParam } from '../http/entityRef';
import { parseInput } from '../http/validation';
import type { ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { ActivityLog } from './ActivityLog';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

/** A project's activity log, and the installation's. */
export function activityRoutes(deps: {
  authorizer: ProjectAuthorizer;
  activity: ActivityLog;
}) {
  const { authorizer, activity } = deps;
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/activity', async (req, res) => {
    const { ref } = entityRefParam(req);
    await authorizer.authorize(req, opshubProjectReadPermission, ref);
    const query = parseInput(listQuery, req.query, 'query');
    res.json({ items: await activity.list(ref, query) });
  });

  router.get('/org/activity', async (req, res) => {
    await authorizer.authorize(req, opshubAdminPermission);
    const query = parseInput(listQuery, req.query, 'query');
    res.json({ items: await activity.list(OPSHUB_INSTALLATION_REF, query) });
  });

  return router;
}
