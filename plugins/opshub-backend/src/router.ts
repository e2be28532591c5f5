import type { HttpAuthService } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { activityRoutes } from './activity/routes';
import { analyticsRoutes } from './analytics/routes/routes';
import { envVarRoutes, isEnvVarExport } from './envvars/routes';
import { encryptionRoutes } from './envvars/encryptionRoutes';
import { healthRoutes } from './health/routes';
import type { MutationLimiter } from './http/mutationLimiter';
import { mutationRateLimit } from './http/mutationRateLimit';
import { previewRoutes } from './previews/routes';
import { bindingRoutes } from './projects/bindingRoutes';
import { projectRoutes } from './projects/routes';
import { queueRoutes } from './queue/routes';
import { roleRoutes } from './rbac/routes';
import { summaryRoutes } from './summary/routes';
import {
  githubWebhookRoute,
  type GithubWebhookRouteOptions,
} from './webhooks/githubWebhookRoute';
import { deliveryRoutes } from './webhooks/routes';

/**
 * The only routes open without a Backstage token; plugin.ts declares them
 * to the http router, and every other route authorizes (a test walks the
 * route table to hold that).
 */
export const UNAUTHENTICATED_ROUTES = ['/health', '/webhooks/github'] as const;

/**
 * Each capability's routes with that capability's own dependencies, so
 * none sees more than it uses.
 */
export interface RouterDeps {
  /**
   * The per-caller mutation rate limit in front of every authenticated
   * route, out of `mutationLimiter` (a budget OpsHub's actions can share).
   */
  http: { httpAuth: HttpAuthService; mutationLimiter: MutationLimiter };
  webhook: GithubWebhookRouteOptions;
  summary: Parameters<typeof summaryRoutes>[0];
  projects: Parameters<typeof projectRoutes>[0];
  bindings: Parameters<typeof bindingRoutes>[0];
  roles: Parameters<typeof roleRoutes>[0];
  activity: Parameters<typeof activityRoutes>[0];
  deliveries: Parameters<typeof deliveryRoutes>[0];
  queue: Parameters<typeof queueRoutes>[0];
  previews: Parameters<typeof previewRoutes>[0];
  envvars: Parameters<typeof envVarRoutes>[0];
  encryption: Parameters<typeof encryptionRoutes>[0];
  health: Parameters<typeof healthRoutes>[0];
  analytics: Parameters<typeof analyticsRoutes>[0];
}

export function createRouter(deps: RouterDeps) {
  const router = Router();

  // For load balancers and uptime checks.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Authenticated by its signature; reads its own raw body. Not rate
  // limited: GitHub never retries a refused delivery.
  router.post('/webhooks/github', githubWebhookRoute(deps.webhook));

  router.use(
    mutationRateLimit({
      httpAuth: deps.http.httpAuth,
      limiter: deps.http.mutationLimiter,
      countsAsMutation: isEnvVarExport,
    }),
  );
  router.use(summaryRoutes(deps.summary));
  router.use(projectRoutes(deps.projects));
  router.use(bindingRoutes(deps.bindings));
  router.use(roleRoutes(deps.roles));
  router.use(activityRoutes(deps.activity));
  router.use(deliveryRoutes(deps.deliveries));
  router.use(queueRoutes(deps.queue));
  router.use(previewRoutes(deps.previews));
  router.use(envVarRoutes(deps.envvars));
  router.use(encryptionRoutes(deps.encryption));
  router.use(healthRoutes(deps.health));
  router.use(analyticsRoutes(deps.analytics));
  return router;
}

/**
 * The router with dependencies that are never called: for tests that walk
 * its route table.
 */
export function routeTableRouter() {
  const unused = new Proxy({}, { get: () => ({}) }) as RouterDeps;
  return createRouter(unused);
}
