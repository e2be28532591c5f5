import type { Knex } from 'knex';
import type { GuardInsert } from '../queue/types';

/**
 * `unverified`: only projects whose repository binding is not verified name
 * the delivery's repository; nothing was started.
 */
export const DELIVERY_OUTCOMES = [
  'enqueued',
  'unmatched',
  'unverified',
  'ignored',
] as const;
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

export interface UnmatchedDeliveryFilter {
  /** `owner/repo`, compared case-insensitively; at most a few hundred. */
  repositories: string[];
  /** Deliveries received at or after this time. */
  since: Date;
  limit: number;
  /** Paging, oldest first: deliveries after this one. */
  after?: Pick<Delivery, 'receivedAt' | 'deliveryId'>;
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
  /**
   * Records that an `unmatched` or `unverified` delivery became jobs
   * (`enqueued`), unless it is neither any more; true when it was. Its jobs
   * are enqueued in the same transaction only then, so two instances
   * planning it again at once enqueue them once.
   */
  markMatched(
    trx: Knex.Transaction,
    deliveryId: string,
    jobCount: number,
  ): Promise<boolean>;
  /**
   * The `unmatched` and `unverified` deliveries of some repositories
   * received since a time, with their payloads, oldest first (received
   * time, then id).
   */
  listUnmatched(
    filter: UnmatchedDeliveryFilter,
  ): Promise<DeliveryWithPayload[]>;
  get(deliveryId: string): Promise<DeliveryWithPayload | undefined>;
  list(filter: DeliveryListFilter): Promise<Delivery[]>;
  deleteReceivedBefore(date: Date): Promise<number>;
}
