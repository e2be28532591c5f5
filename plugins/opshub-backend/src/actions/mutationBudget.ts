import { CustomErrorBase } from '@backstage/errors';
import type { MutationLimiter } from '../http/mutationLimiter';

/** A caller over the mutation limit: answered with status 429. */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;
}

/**
 * Counts one mutation of `actorRef` against the limit the routes share;
 * over it, a TooManyRequestsError saying in how many seconds to retry.
 */
export function spendMutation(limiter: MutationLimiter, actorRef: string) {
  const waitMs = limiter.take(actorRef);
  if (waitMs > 0) {
    throw new TooManyRequestsError(
      `Too many changes; retry in ${Math.ceil(waitMs / 1000)} s`,
    );
  }
}
