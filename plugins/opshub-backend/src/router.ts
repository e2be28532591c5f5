import type { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import type { ActivityLog } from './activity/ActivityLog';
import type { Audited } from './activity/audited';
import { activityRoutes } from './activity/routes';
import { mutationRateLimit } from './http/mutationRateLimit';
import { previewRoutes } from './previews/routes';
import { projectRoutes } from './projects/routes';
import type { ProjectStore } from './projects/ProjectStore';
import type { JobStore } from './queue/JobStore';
import { queueRoutes } from './queue/routes';
import type { AccessFilterOptions } from './rbac/accessFilter';
import type { ProjectAuthorizer } from './rbac/ProjectAuthorizer';
import { roleRoutes } from './rbac/routes';
import { summaryRoutes as createSummaryRoutes } from './summary/routes';
import type { DeliveryStore } from './webhooks/DeliveryStore';
import {
  githubWebhookRoute,
  type GithubWebhookRouteOptions,
} from './webhooks/githubWebhookRoute';
import { deliveryRoutes } from './webhooks/routes';
import type { WebhookIntake } from './webhooks/WebhookIntake';

/**
 * The only routes open without a Backstage token; plugin.ts declares them
 * to the http router, and every other route authorizes (a test walks the
 * route table to hold that).
 */
export const UNAUTHENTICATED_ROUTES = ['/health', '/webhooks/github'] as const;

export type RouterDeps = Parameters<typeof createSummaryRoutes>[0] &
  Parameters<typeof roleRoutes>[0] &
  Parameters<typeof previewRoutes>[0] & {
    httpAuth: HttpAuthService;
    authorizer: ProjectAuthorizer;
    audited: Audited;
    activity: ActivityLog;
    projects: ProjectStore;
    access: AccessFilterOptions;
    jobs: JobStore;
    deliveries: DeliveryStore;
    intake: WebhookIntake;
    webhook: Omit<GithubWebhookRouteOptions, 'intake'>;
    mutationsPerMinute: number;
  };

export function createRouter(deps: RouterDeps) {
  const router = Router();

  // For load balancers and uptime checks.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Authenticated by its signature; reads its own raw body. Not rate
  // limited: GitHub never retries a refused delivery.
  router.post(
    '/webhooks/github',
    githubWebhookRoute({ ...deps.webhook, intake: deps.intake }),
  );

  router.use(
    mutationRateLimit({
      httpAuth: deps.httpAuth,
      perMinute: deps.mutationsPerMinute,
    }),
  );
  router.use(createSummaryRoutes(deps));
  router.use(projectRoutes(deps));
  router.use(roleRoutes(deps));
  router.use(activityRoutes(deps));
  router.use(deliveryRoutes(deps));
  router.use(queueRoutes(deps));
  router.use(previewRoutes(deps));
  return router;
}
