import { InputError } from '@backstage/errors';
import { opshubHealthReadPermission } from '@opshub/plugin-opshub-common';
import type { Request, Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../http/validation';
import type { OpsHubPermission } from '../../rbac/ProjectAuthorizer';
import { DAY_MS } from '../healthRows';
import { samplesQuery } from '../healthInput';
import type { HealthRollupReads } from './HealthRollupReads';

export const ROLLUPS_PATH =
  '/entities/:kind/:namespace/:name/health/checks/:checkId/rollups';
const DEFAULT_RANGE_MS = 7 * DAY_MS;
const MAX_RANGE_MS = 90 * DAY_MS;

/** Epoch milliseconds or an ISO 8601 date-time, as `since` of the samples. */
const instant = samplesQuery.shape.since;
export const rollupsQuery = z.object({ from: instant, to: instant });

/** How the health routes scope a request to its entity and check. */
export interface CheckRouteAccess {
  /** Authorizes the route's entity for `permission` (403 otherwise). */
  access(
    req: Request,
    permission: OpsHubPermission,
  ): Promise<{ entityRef: string }>;
  /** The route's check id (400 when it is none). */
  checkIdOf(req: Request): string;
  /** The route's check of the route's entity, or 404. */
  checkOf(entityRef: string, checkId: string): Promise<unknown>;
}

/** `[from, to)`: the last 7 days unless told, at most 90 days. */
export function rollupRange(
  query: z.infer<typeof rollupsQuery>,
  nowMs: number,
): { fromMs: number; toMs: number } {
  const toMs = query.to ?? nowMs;
  const fromMs = query.from ?? toMs - DEFAULT_RANGE_MS;
  if (fromMs > toMs) {
    throw new InputError('Invalid query: from must not be after to');
  }
  if (toMs - fromMs > MAX_RANGE_MS) {
    throw new InputError('Invalid query: at most 90 days from from to to');
  }
  return { fromMs, toMs };
}

/**
 * `GET …/health/checks/:checkId/rollups?from=&to=`: the check's hourly
 * rollups of the hours that overlap `[from, to)`, oldest first
 * (`opshub.health.read`; another entity's check is not found).
 */
export function addRollupRoutes(
  router: Router,
  options: CheckRouteAccess & {
    rollups: Pick<HealthRollupReads, 'list'>;
    now: () => number;
  },
): void {
  router.get(ROLLUPS_PATH, async (req, res) => {
    const { entityRef } = await options.access(req, opshubHealthReadPermission);
    const checkId = options.checkIdOf(req);
    const range = rollupRange(
      parseInput(rollupsQuery, req.query, 'query'),
      options.now(),
    );
    await options.checkOf(entityRef, checkId);
    res.json(await options.rollups.list(checkId, range));
  });
}
