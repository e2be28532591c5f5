import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import { valuesPlaceholders } from '../database/valuesPlaceholders';
import type { GuardInsert } from '../queue/types';
import type {
  Delivery,
  DeliveryListFilter,
  DeliveryOutcome,
  DeliveryStore,
  DeliveryWithPayload,
  UnmatchedDeliveryFilter,
} from './DeliveryStore';

type DeliveryRow = {
  delivery_id: string;
  event: string;
  action: string | null;
  repository: string | null;
  received_at: Date | string | number;
  outcome: DeliveryOutcome;
  job_count: number;
  redeliveries: number;
  payload?: string;
};

/** One delivery's placeholders in the multi-row insert, in column order. */
const DELIVERY_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** Deliveries that started nothing, which a newly acting project may plan again. */
const REPLANNABLE: DeliveryOutcome[] = ['unmatched', 'unverified'];

const SUMMARY_COLUMNS = [
  'delivery_id',
  'event',
  'action',
  'repository',
  'received_at',
  'outcome',
  'job_count',
  'redeliveries',
];

export class DatabaseDeliveryStore implements DeliveryStore {
  constructor(private readonly knex: Knex) {}

  insertStatement(deliveries: DeliveryWithPayload[]): GuardInsert {
    const bindings: unknown[] = [];
    for (const d of deliveries) {
      bindings.push(
        d.deliveryId,
        d.event,
        d.action,
        d.repository,
        d.receivedAt,
        d.outcome,
        d.jobCount,
        d.redeliveries,
        d.payload,
      );
    }
    const sql = `INSERT INTO webhook_deliveries (delivery_id, event, action,
        repository, received_at, outcome, job_count, redeliveries, payload)
      VALUES ${valuesPlaceholders(deliveries.length, DELIVERY_ROW)}
      ON CONFLICT (delivery_id) DO NOTHING
      RETURNING delivery_id AS guard`;
    return { sql, bindings };
  }

  async markRedelivered(
    trx: Knex.Transaction,
    deliveryId: string,
    outcome: DeliveryOutcome,
    jobCount: number,
  ): Promise<void> {
    await trx('webhook_deliveries')
      .where('delivery_id', deliveryId)
      .update({
        outcome,
        job_count: jobCount,
        redeliveries: trx.raw('redeliveries + 1'),
      });
  }

  async markMatched(
    trx: Knex.Transaction,
    deliveryId: string,
    jobCount: number,
  ): Promise<boolean> {
    const updated = await trx('webhook_deliveries')
      .where('delivery_id', deliveryId)
      .whereIn('outcome', REPLANNABLE)
      .update({ outcome: 'enqueued', job_count: jobCount });
    return updated > 0;
  }

  async listUnmatched(
    filter: UnmatchedDeliveryFilter,
  ): Promise<DeliveryWithPayload[]> {
    if (filter.repositories.length === 0) return [];
    const repositories = [
      ...new Set(filter.repositories.map(r => r.toLowerCase())),
    ];
    // The received_at index narrows the scan to the window.
    const query = this.knex<DeliveryRow>('webhook_deliveries')
      .where('received_at', '>=', filter.since)
      .whereIn('outcome', REPLANNABLE)
      .whereRaw(
        `lower(repository) IN (${repositories.map(() => '?').join(', ')})`,
        repositories,
      )
      .orderBy([
        { column: 'received_at', order: 'asc' },
        { column: 'delivery_id', order: 'asc' },
      ])
      .limit(filter.limit);
    const { after } = filter;
    if (after) {
      query.where(q =>
        q
          .where('received_at', '>', after.receivedAt)
          .orWhere(same =>
            same
              .where('received_at', '=', after.receivedAt)
              .where('delivery_id', '>', after.deliveryId),
          ),
      );
    }
    const rows: DeliveryRow[] = await query;
    return rows.map(row => ({ ...toDelivery(row), payload: row.payload! }));
  }

  async get(deliveryId: string): Promise<DeliveryWithPayload | undefined> {
    const row = await this.knex<DeliveryRow>('webhook_deliveries')
      .where('delivery_id', deliveryId)
      .first();
    return row && { ...toDelivery(row), payload: row.payload! };
  }

  async list(filter: DeliveryListFilter): Promise<Delivery[]> {
    const query = this.knex('webhook_deliveries')
      .select(SUMMARY_COLUMNS)
      .orderBy([
        { column: 'received_at', order: 'desc' },
        { column: 'delivery_id', order: 'desc' },
      ])
      .limit(filter.limit);
    if (filter.outcome) query.where('outcome', filter.outcome);
    if (filter.event) query.where('event', filter.event);
    if (filter.repository) query.where('repository', filter.repository);
    if (filter.before) query.where('received_at', '<', filter.before);
    const rows: DeliveryRow[] = await query;
    return rows.map(toDelivery);
  }

  async deleteReceivedBefore(date: Date): Promise<number> {
    return this.knex('webhook_deliveries')
      .where('received_at', '<', date)
      .delete();
  }
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    deliveryId: row.delivery_id,
    event: row.event,
    action: row.action,
    repository: row.repository,
    receivedAt: toDate(row.received_at),
    outcome: row.outcome,
    jobCount: row.job_count,
    redeliveries: row.redeliveries,
  };
}
