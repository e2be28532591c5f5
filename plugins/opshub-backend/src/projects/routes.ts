import { opshubProjectReadPermission } from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/validation';
import { accessFilter, type AccessFilterOptions } from '../rbac/accessFilter';
import type { ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { ProjectStore } from './ProjectStore';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.string().max(600).optional(),
});

/** `GET /projects`: the tracked projects the caller may read, by entity ref. */
export function projectRoutes(deps: {
  authorizer: ProjectAuthorizer;
  projects: ProjectStore;
  access: AccessFilterOptions;
}) {
  const router = Router();
  router.get('/projects', async (req, res) => {
    const credentials = await deps.authorizer.caller(req);
    const query = parseInput(listQuery, req.query, 'query');
    const filter = await deps.authorizer.filter(
      credentials,
      opshubProjectReadPermission,
    );
    if ('none' in filter) {
      res.json({ items: [] });
      return;
    }
    const items = await deps.projects.list({
      ...query,
      where:
        'criteria' in filter
          ? accessFilter(filter.criteria, deps.access)
          : undefined,
    });
    res.json({
      items: items.map(p => ({
        entityRef: p.entityRef,
        repoSlug: p.repoSlug,
        previewProvider: p.previewProvider ?? null,
        trackedSince: p.trackedSince.toISOString(),
      })),
    });
  });
  return router;
}
