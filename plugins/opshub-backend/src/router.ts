import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { EntitySummaryService } from './summary/EntitySummaryService';

const entityRefParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  summaries: EntitySummaryService;
}): Promise<express.Router> {
  const { httpAuth, summaries } = deps;
  const router = Router();

  // Open without a token (see plugin.ts): load balancers and uptime checks.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const params = entityRefParams.safeParse(req.params);
    if (!params.success) {
      throw new InputError(
        `Invalid entity ref: ${params.error.issues[0].message}`,
      );
    }
    res.json(await summaries.getSummary(params.data, credentials));
  });

  return router;
}
