import type { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/validation';
import type { EntitySummaryService } from './EntitySummaryService';

const entityRefParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});

export function summaryRoutes(deps: {
  httpAuth: HttpAuthService;
  summaries: EntitySummaryService;
}) {
  const router = Router();
  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const ref = parseInput(entityRefParams, req.params, 'entity ref');
    res.json(await deps.summaries.getSummary(ref, credentials));
  });
  return router;
}
