import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler } from 'express';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Per-user limit on mutating requests: `perMinute` in a burst, then one
 * every `60 s / perMinute` (a token bucket, kept as GCRA: one "theoretical
 * arrival time" per user, exact in integer milliseconds). Beyond it, 429
 * with `Retry-After` in whole seconds. Requests without a user token pass
 * through to their route, which answers 401. State lives in this backend
 * instance; users whose bucket is full again are dropped, so memory follows
 * the users active in the last minute.
 */
export function mutationRateLimit(options: {
  httpAuth: HttpAuthService;
  perMinute: number;
  /** Reads that count like mutations (plaintext exports). */
  countsAsMutation?: (req: Request) => boolean;
  now?: () => number;
}): RequestHandler {
  const { httpAuth, perMinute } = options;
  const now = options.now ?? Date.now;
  const interval = 60_000 / perMinute;
  const tolerance = interval * (perMinute - 1);
  const arrivals = new Map<string, number>();

  /** Milliseconds until the user may mutate again; 0 when they may now. */
  function take(user: string): number {
    const at = now();
    const arrival = Math.max(arrivals.get(user) ?? at, at);
    const wait = arrival - tolerance - at;
    if (wait > 0) return wait;
    arrivals.set(user, arrival + interval);
    if (arrivals.size > 10_000) {
      for (const [other, next] of arrivals) {
        if (next <= at) arrivals.delete(other);
      }
    }
    return 0;
  }

  return async (req, res, next) => {
    if (!MUTATING.has(req.method) && !options.countsAsMutation?.(req)) {
      return next();
    }
    const credentials = await httpAuth
      .credentials(req, { allow: ['user'] })
      .catch(() => undefined);
    if (!credentials) return next();
    const waitMs = take(credentials.principal.userEntityRef);
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
