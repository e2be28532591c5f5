import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/validation';
import { DELIVERY_OUTCOMES, type DeliveryStore } from './DeliveryStore';
import type { WebhookIntake } from './WebhookIntake';

const listQuery = z.object({
  outcome: z.enum(DELIVERY_OUTCOMES).optional(),
  event: z.string().max(100).optional(),
  repository: z.string().max(255).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.iso.datetime().optional(),
});
const deliveryParams = z.object({ deliveryId: z.string().min(1).max(100) });

/** Listing and re-processing stored GitHub deliveries (administration). */
export function deliveryRoutes(deps: {
  httpAuth: HttpAuthService;
  deliveries: DeliveryStore;
  intake: WebhookIntake;
}) {
  const { httpAuth, deliveries, intake } = deps;
  const router = Router();

  router.get('/webhooks/deliveries', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const query = parseInput(listQuery, req.query, 'query');
    const items = await deliveries.list({
      ...query,
      before: query.before ? new Date(query.before) : undefined,
    });
    res.json({ items });
  });

  router.get('/webhooks/deliveries/:deliveryId', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
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
      await httpAuth.credentials(req, { allow: ['user'] });
      const { deliveryId } = parseInput(
        deliveryParams,
        req.params,
        'delivery id',
      );
      res.json(await intake.redeliver(deliveryId));
    },
  );

  return router;
}
