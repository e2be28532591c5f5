import type { Knex } from 'knex';
import type { GuardInsert } from '../queue/types';

export const DELIVERY_OUTCOMES = ['enqueued', 'unmatched', 'ignored'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface Delivery {
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  receivedAt: Date;
  outcome: DeliveryOutcome;
  jobCount: number;
  redeliveries: number;
}

export interface DeliveryWithPayload extends Delivery {
  /** The raw body exactly as GitHub signed it. */
  payload: string;
}

export interface DeliveryListFilter {
  outcome?: DeliveryOutcome;
  event?: string;
  repository?: string;
  limit: number;
  /** Deliveries received before this time (paging, newest first). */
  before?: Date;
}

/** Persistence of GitHub webhook deliveries. */
export interface DeliveryStore {
  /**
   * The insert of deliveries as one statement that returns the ids (as
   * `guard`) only of those not recorded before (GitHub redelivers with the
   * same id), to guard enqueueing their jobs (`JobEnqueuer.enqueueGuarded`).
   */
  insertStatement(deliveries: DeliveryWithPayload[]): GuardInsert;
  /** Records the outcome of processing a stored delivery again. */
  markRedelivered(
    trx: Knex.Transaction,
    deliveryId: string,
    outcome: DeliveryOutcome,
    jobCount: number,
  ): Promise<void>;
  get(deliveryId: string): Promise<DeliveryWithPayload | undefined>;
  list(filter: DeliveryListFilter): Promise<Delivery[]>;
  deleteReceivedBefore(date: Date): Promise<number>;
}
