import { NotFoundError } from '@backstage/errors';
import {
  OPSHUB_INSTALLATION_REF,
  opshubAdminPermission,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { Audited } from '../activity/audited';
import { parseInput } from '../http/validation';
import { actorRefOf, type ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import { DELIVERY_OUTCOMES, type DeliveryStore } from './DeliveryStore';
import { DELIVERY_LIST_LIMIT, listDeliveries } from './listDeliveries';
import type { WebhookIntake } from './WebhookIntake';

const listQuery = z.object({
  outcome: z.enum(DELIVERY_OUTCOMES).optional(),
  event: z.string().max(100).optional(),
  repository: z.string().max(255).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(DELIVERY_LIST_LIMIT.max)
    .default(DELIVERY_LIST_LIMIT.default),
  before: z.iso.datetime().optional(),
});
const deliveryParams = z.object({ deliveryId: z.string().min(1).max(100) });

/** Listing and re-processing stored GitHub deliveries (`opshub.admin`). */
export function deliveryRoutes(deps: {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  deliveries: DeliveryStore;
  intake: WebhookIntake;
}) {
  const { authorizer, audited, deliveries, intake } = deps;
  const router = Router();

  router.get('/webhooks/deliveries', async (req, res) => {
    await authorizer.authorize(req, opshubAdminPermission);
    const query = parseInput(listQuery, req.query, 'query');
    res.json({ items: await listDeliveries(deliveries, query) });
  });

  router.get('/webhooks/deliveries/:deliveryId', async (req, res) => {
    await authorizer.authorize(req, opshubAdminPermission);
    const { deliveryId } = parseInput(
      deliveryParams,
      req.params,
      'delivery id',
    );
    const delivery = await deliveries.get(deliveryId);
    if (!delivery) throw new NotFoundError(`No delivery ${deliveryId}`);
    const { payload, ...rest } = delivery;
    res.json({ ...rest, payload: JSON.parse(payload) });
  });

  router.post(
    '/webhooks/deliveries/:deliveryId/redeliver',
    async (req, res) => {
      const credentials = await authorizer.authorize(
        req,
        opshubAdminPermission,
      );
      const { deliveryId } = parseInput(
        deliveryParams,
        req.params,
        'delivery id',
      );
      const result = await audited(
        req,
        {
          entityRef: OPSHUB_INSTALLATION_REF,
          actorRef: actorRefOf(credentials),
          action: 'webhook-redeliver',
          details: { deliveryId },
          describe: r => ({
            outcome: r.outcome ?? null,
            jobs: r.jobIds.length,
          }),
        },
        () => intake.redeliver(deliveryId),
      );
      res.json(result);
    },
  );

  return router;
}
