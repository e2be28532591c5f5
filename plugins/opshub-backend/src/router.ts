import type { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import type { JobStore } from './queue/JobStore';
import { queueRoutes } from './queue/routes';
import { summaryRoutes } from './summary/routes';
import type { EntitySummaryService } from './summary/EntitySummaryService';
import type { DeliveryStore } from './webhooks/DeliveryStore';
import {
  githubWebhookRoute,
  type GithubWebhookRouteOptions,
} from './webhooks/githubWebhookRoute';
import { deliveryRoutes } from './webhooks/routes';
import type { WebhookIntake } from './webhooks/WebhookIntake';

/** Routes open without a Backstage token; plugin.ts declares the same two. */
export const UNAUTHENTICATED_ROUTES = ['/health', '/webhooks/github'] as const;

export function createRouter(deps: {
  httpAuth: HttpAuthService;
  summaries: EntitySummaryService;
  jobs: JobStore;
  deliveries: DeliveryStore;
  intake: WebhookIntake;
  webhook: Omit<GithubWebhookRouteOptions, 'intake'>;
}) {
  const router = Router();

  // For load balancers and uptime checks.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Authenticated by its signature; reads its own raw body.
  router.post(
    '/webhooks/github',
    githubWebhookRoute({ ...deps.webhook, intake: deps.intake }),
  );

  router.use(summaryRoutes(deps));
  router.use(deliveryRoutes(deps));
  router.use(queueRoutes(deps));
  return router;
}
