import type { OpsHubDelivery } from '@opshub/plugin-opshub-common';
import type { DeliveryOutcome, DeliveryStore } from './DeliveryStore';

/** How many deliveries one list answers: at most, and without a limit. */
export const DELIVERY_LIST_LIMIT = { max: 500, default: 50 } as const;

/** What a list of deliveries may be narrowed by (all optional but `limit`). */
export interface DeliveryListQuery {
  outcome?: DeliveryOutcome;
  event?: string;
  /** `owner/name`, as GitHub sent it. */
  repository?: string;
  limit: number;
  /** ISO 8601: deliveries received before this time (the next page). */
  before?: string;
}

/**
 * Stored GitHub deliveries, newest first, without their payloads: as
 * `GET /webhooks/deliveries` and `opshub:list-deliveries` answer them. The
 * caller authorizes (`opshub.admin`) first.
 */
export async function listDeliveries(
  deliveries: DeliveryStore,
  query: DeliveryListQuery,
): Promise<OpsHubDelivery[]> {
  const items = await deliveries.list({
    ...query,
    before: query.before ? new Date(query.before) : undefined,
  });
  return items.map(d => ({ ...d, receivedAt: d.receivedAt.toISOString() }));
}
