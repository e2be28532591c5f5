import type { Knex } from 'knex';
import type { InsertStatement } from '../queue/types';

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
   * The insert of a delivery as a statement that returns a row only for a
   * delivery id not recorded before (GitHub redelivers with the same id), to
   * guard enqueueing its jobs (`JobEnqueuer.enqueueAfterInsert`).
   */
  insertStatement(delivery: DeliveryWithPayload): InsertStatement;
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
