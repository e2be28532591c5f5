import { InputError, NotFoundError } from '@backstage/errors';
import { opshubHealthManagePermission } from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { Audited } from '../../activity/audited';
import { jsonBody } from '../../http/bodyParsers';
import { parseInput } from '../../http/validation';
import type { OpsHubPermission } from '../../rbac/ProjectAuthorizer';
import type { StoredHealthCheck } from '../HealthStore';
import type { MaintenanceWindowStore } from './MaintenanceWindowStore';
import { maintenanceWindowBody, onceInstants } from './maintenanceWindows';

const MAINTENANCE =
  '/entities/:kind/:namespace/:name/health/checks/:checkId/maintenance';
/** A window is small. */
const MAX_JSON_BODY = '4kb';

const windowParams = z.object({
  windowId: z
    .string()
    .regex(/^\d{1,10}$/, 'not a window id')
    .refine(id => Number(id) <= 2_147_483_647, 'not a window id'),
});

export interface MaintenanceRoutesOptions {
  audited: Audited;
  windows: MaintenanceWindowStore;
  /** The health routes' own: the caller's access to the route's entity. */
  access(
    req: Request,
    permission: OpsHubPermission,
  ): Promise<{ entityRef: string; actorRef: string }>;
  /** The route's check id (400 when not one). */
  checkIdOf(req: Request): string;
  /** The route's check of the route's entity, or 404. */
  checkOf(entityRef: string, checkId: string): Promise<StoredHealthCheck>;
  /** The 404 of a check that is not the entity's. */
  notFound(checkId: string): Error;
  changed(entityRef: string): void;
  now: () => number;
}

/**
 * A check's maintenance windows: adding one and deleting one, whatever the
 * check's source (an annotation's check may be planned for too). The
 * check's windows are shown with it in `GET .../health`.
 */
export function maintenanceRoutes(deps: MaintenanceRoutesOptions) {
  const { audited, windows, access, checkIdOf, checkOf } = deps;
  const router = Router();

  router.post(MAINTENANCE, jsonBody(MAX_JSON_BODY), async (req, res) => {
    const { entityRef, actorRef } = await access(
      req,
      opshubHealthManagePermission,
    );
    const checkId = checkIdOf(req);
    const input = parseInput(maintenanceWindowBody, req.body, 'window');
    if (input.kind === 'once' && onceInstants(input)!.endMs <= deps.now()) {
      throw new InputError('Invalid window: endsAt: must be in the future');
    }
    const created = await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'health-maintenance-create',
        details: { checkId, kind: input.kind },
        describe: window => ({ windowId: window.id }),
      },
      async () => {
        const window = await windows.create(
          entityRef,
          checkId,
          input,
          actorRef,
        );
        if (!window) throw deps.notFound(checkId);
        return window;
      },
    );
    deps.changed(entityRef);
    res.status(201).json(created);
  });

  router.delete(`${MAINTENANCE}/:windowId`, async (req, res) => {
    const { entityRef, actorRef } = await access(
      req,
      opshubHealthManagePermission,
    );
    const checkId = checkIdOf(req);
    const { windowId } = parseInput(windowParams, req.params, 'window');
    await audited(
      req,
      {
        entityRef,
        actorRef,
        action: 'health-maintenance-delete',
        details: { checkId, windowId },
      },
      async () => {
        await checkOf(entityRef, checkId);
        if (!(await windows.delete(entityRef, checkId, windowId))) {
          throw new NotFoundError(
            `No maintenance window ${windowId} of health check ${checkId} here`,
          );
        }
      },
    );
    deps.changed(entityRef);
    res.status(204).end();
  });

  return router;
}
