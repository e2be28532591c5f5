import type {
  OpsHubMaintenanceWindow,
  OpsHubMaintenanceWindowInput,
  OpsHubWeekday,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import {
  DAY_MS,
  IdQueries,
  normalizeRef,
  parseCheckId,
  parseCheckIds,
  type Timestamp,
} from '../healthRows';
import type { MaintenanceWindowStore } from './MaintenanceWindowStore';
import { onceInstants, windowOpenAt } from './maintenanceWindows';

type WindowRow = {
  id: number | string;
  check_id: number | string;
  kind: 'once' | 'weekly';
  time_zone: string;
  starts_at: string | null;
  ends_at: string | null;
  ends_at_ms: number | string | null;
  days: string | null;
  start_time: string | null;
  duration_minutes: number | null;
  reason: string | null;
  created_by: string;
  created_at: Timestamp;
};

/** One-off windows ended this long ago go when their check gets a new one. */
export const ENDED_KEPT_MS = DAY_MS;

function toWindow(row: WindowRow): OpsHubMaintenanceWindow {
  const common = {
    id: String(row.id),
    checkId: String(row.check_id),
    timeZone: row.time_zone,
    reason: row.reason ?? null,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at).toISOString(),
  };
  if (row.kind === 'once') {
    return {
      ...common,
      kind: 'once',
      startsAt: row.starts_at ?? '',
      endsAt: row.ends_at ?? '',
    };
  }
  return {
    ...common,
    kind: 'weekly',
    days: (row.days ?? '').split(',') as OpsHubWeekday[],
    startTime: row.start_time ?? '',
    durationMinutes: Number(row.duration_minutes),
  };
}

function windowColumns(window: OpsHubMaintenanceWindowInput) {
  if (window.kind === 'once') {
    const instants = onceInstants(window);
    if (!instants) throw new TypeError('Not a valid one-off window');
    return {
      starts_at: window.startsAt,
      ends_at: window.endsAt,
      ends_at_ms: instants.endMs,
    };
  }
  return {
    days: window.days.join(','),
    start_time: window.startTime,
    duration_minutes: window.durationMinutes,
  };
}

/**
 * The windows of the checks `ids` that have not ended by `sinceMs` (weekly
 * ones never end), oldest first, by check id: one query (per 900 checks on
 * SQLite), in `db`, which may be a transaction.
 */
export async function windowsOfChecks(
  db: Knex | Knex.Transaction,
  ids: number[],
  sinceMs: number,
): Promise<Map<number, OpsHubMaintenanceWindow[]>> {
  const queries = new IdQueries(db.client.config.client === 'pg');
  const rows = (await queries.byIds(ids, slice =>
    queries
      .whereIdIn(db<WindowRow>('health_maintenance_windows'), 'check_id', slice)
      .where(q => q.whereNull('ends_at_ms').orWhere('ends_at_ms', '>', sinceMs))
      .orderBy('id'),
  )) as WindowRow[];
  const windows = new Map<number, OpsHubMaintenanceWindow[]>();
  for (const row of rows) {
    const checkId = Number(row.check_id);
    windows.set(checkId, [...(windows.get(checkId) ?? []), toWindow(row)]);
  }
  return windows;
}

/** The health_maintenance_windows table. */
export class DatabaseMaintenanceWindows implements MaintenanceWindowStore {
  private readonly now: () => number;

  constructor(
    private readonly knex: Knex,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async create(
    entityRef: string,
    checkId: string,
    window: OpsHubMaintenanceWindowInput,
    createdBy: string,
  ): Promise<OpsHubMaintenanceWindow | undefined> {
    const id = parseCheckId(checkId);
    if (id === undefined) return undefined;
    const columns = windowColumns(window);
    return this.knex.transaction(async trx => {
      const check = await trx('health_checks')
        .where({ id, entity_ref: normalizeRef(entityRef) })
        .first('id');
      if (!check) return undefined;
      const now = this.now();
      await trx('health_maintenance_windows')
        .where({ check_id: id })
        .where('ends_at_ms', '<', now - ENDED_KEPT_MS)
        .delete();
      const [row] = await trx('health_maintenance_windows')
        .insert({
          check_id: id,
          kind: window.kind,
          time_zone: window.timeZone,
          ...columns,
          reason: window.reason || null,
          created_by: createdBy,
          created_at: new Date(now),
        })
        .returning('*');
      return toWindow(row);
    });
  }

  async delete(
    entityRef: string,
    checkId: string,
    windowId: string,
  ): Promise<boolean> {
    const id = parseCheckId(checkId);
    // Window ids are integers of the same range as check ids.
    const windowKey = parseCheckId(windowId);
    if (id === undefined || windowKey === undefined) return false;
    const deleted = await this.knex('health_maintenance_windows')
      .where({ id: windowKey, check_id: id })
      .whereExists(q =>
        q
          .select('id')
          .from('health_checks')
          .where({ id, entity_ref: normalizeRef(entityRef) }),
      )
      .delete();
    return deleted > 0;
  }

  async listForChecks(
    checkIds: string[],
    nowMs: number,
  ): Promise<Map<string, OpsHubMaintenanceWindow[]>> {
    const windows = await windowsOfChecks(
      this.knex,
      parseCheckIds(checkIds),
      nowMs,
    );
    return new Map(
      [...windows].map(([checkId, list]) => [String(checkId), list]),
    );
  }

  async inMaintenance(checkIds: string[], atMs: number): Promise<Set<string>> {
    const windows = await windowsOfChecks(
      this.knex,
      parseCheckIds(checkIds),
      atMs,
    );
    const open = new Set<string>();
    for (const [checkId, list] of windows) {
      if (list.some(window => windowOpenAt(window, atMs))) {
        open.add(String(checkId));
      }
    }
    return open;
  }
}
