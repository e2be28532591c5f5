import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import type {
  ActivityEntry,
  ActivityLog,
  NewActivityEntry,
} from './ActivityLog';

type Row = {
  id: string | number;
  entity_ref: string;
  actor_ref: string;
  action: string;
  details: string;
  created_at: Date | string | number;
};

export class DatabaseActivityLog implements ActivityLog {
  constructor(private readonly knex: Knex) {}

  async record(entry: NewActivityEntry): Promise<void> {
    await this.knex('activity').insert({
      entity_ref: entry.entityRef.toLocaleLowerCase('en-US'),
      actor_ref: entry.actorRef,
      action: entry.action,
      details: JSON.stringify(entry.details),
      created_at: new Date(),
    });
  }

  async list(
    entityRef: string,
    options: { limit: number; beforeId?: string },
  ): Promise<ActivityEntry[]> {
    const query = this.knex<Row>('activity')
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.beforeId) query.where('id', '<', options.beforeId);
    return (await query).map(row => ({
      id: String(row.id),
      entityRef: row.entity_ref,
      actorRef: row.actor_ref,
      action: row.action,
      details: JSON.parse(row.details),
      createdAt: toDate(row.created_at),
    }));
  }
}
