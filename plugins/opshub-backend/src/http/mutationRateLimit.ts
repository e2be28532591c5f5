import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler } from 'express';
import { actorRefOf } from '../rbac/ProjectAuthorizer';
import type { MutationLimiter } from './mutationLimiter';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Per-caller limit on mutating requests, users and service principals
 * alike, keyed by `actorRefOf`, out of `limiter` (the budget the actions
 * share). Beyond it, 429 with `Retry-After` in whole seconds. Requests
 * without a user or service token pass through to their route, which
 * answers 401.
 */
export function mutationRateLimit(options: {
  httpAuth: HttpAuthService;
  limiter: MutationLimiter;
  /** Reads that count like mutations (plaintext exports). */
  countsAsMutation?: (req: Request) => boolean;
}): RequestHandler {
  const { httpAuth, limiter } = options;

  return async (req, res, next) => {
    if (!MUTATING.has(req.method) && !options.countsAsMutation?.(req)) {
      return next();
    }
    const credentials = await httpAuth
      .credentials(req, { allow: ['user', 'service'] })
      .catch(() => undefined);
    if (!credentials) return next();
    const waitMs = limiter.take(actorRefOf(credentials));
    if (waitMs === 0) return next();
    const retryAfter = Math.ceil(waitMs / 1000);
    res.setHeader('Retry-After', String(retryAfter));
    return res.status(429).json({
      error: {
        name: 'TooManyRequestsError',
        message: `Too many changes; retry in ${retryAfter} s`,
      },
    });
  };
}
