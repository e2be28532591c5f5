import { InputError } from '@backstage/errors';
import type {
  OpsHubDeployErrorClass,
  OpsHubDoraMetrics,
  OpsHubDoraRating,
  OpsHubDoraUnavailableReason,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { z } from 'zod';
import { toDate } from '../../database/timestamps';
import { doraOfEntity } from '../dora/doraOfEntities';
import type { DoraOptions, DoraWindow } from '../dora/types';
import { entityAnalytics } from '../metrics/entityAnalytics';
import { deployEventSql } from '../metrics/deployEventSql';
import {
  DAY_MS,
  dayStartMs,
  deployWindow,
  utcDayOf,
} from '../metrics/deployWindow';
import type { WeeklyDigestPayload } from './types';

/** How many error classes and incidents the digest lists. */
export const DIGEST_TOP = 3;
/** DORA is rated over the 4 weeks ending with the digest's week. */
export const DIGEST_DORA_DAYS = 28;

/** One of DORA's keys in the digest: its rating, or why there is none. */
export interface DigestDoraKey {
  rating: OpsHubDoraRating | null;
  reason: OpsHubDoraUnavailableReason | null;
}

/** One of the week's worst incidents. */
export interface DigestIncident {
  checkName: string;
  state: 'down' | 'degraded';
  /** ISO instant. */
  openedAt: string;
  /** Until it closed, or until the run for one still open then. */
  durationMs: number;
  /** Still open when the digest ran. */
  open: boolean;
}

/** What one entity's weekly digest tells, as plain data. */
export interface WeeklyDigest {
  entityRef: string;
  /** The week: ISO dates, UTC, both included. */
  from: string;
  to: string;
  deploys: number;
  /** succeeded ÷ ended deploys of the week; null without any. */
  successRate: number | null;
  /** P95 of succeeded deploys' total time, this week and the one before. */
  totalTimeP95Ms: { week: number | null; previousWeek: number | null };
  /** The week's most frequent classes of failed deploys, most first. */
  topErrorClasses: { class: OpsHubDeployErrorClass; count: number }[];
  /** DORA's ratings over `window`, the 4 weeks ending with the week. */
  dora: {
    window: DoraWindow;
    keys: Record<keyof OpsHubDoraMetrics, DigestDoraKey>;
  };
  /** Down before degraded, then longest first. */
  worstIncidents: DigestIncident[];
}

const isoDay = z.iso.date();
const payloadSchema = z.object({
  entityRef: z.string().min(1),
  runAt: z.iso.datetime({ offset: true }),
  from: isoDay,
  to: isoDay,
});

/** The day `days` after (or before, when negative) an ISO date. */
export const shiftDay = (day: string, days: number) =>
  utcDayOf(dayStartMs(day) + days * DAY_MS);

/**
 * The digest job's payload, checked: a week of 7 days that ends before
 * the run. Throws InputError otherwise.
 */
export function parseWeeklyDigestPayload(
  payload: unknown,
): WeeklyDigestPayload {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    throw new InputError(`Invalid weekly digest payload: ${parsed.error}`);
  }
  const { from, to, runAt } = parsed.data;
  if (shiftDay(from, 6) !== to) {
    throw new InputError(`The digest's week ${from}..${to} is not 7 days`);
  }
  if (Date.parse(runAt) < dayStartMs(shiftDay(to, 1))) {
    throw new InputError(`The digest of ${from}..${to} runs before its end`);
  }
  return parsed.data;
}

type IncidentRow = {
  check_name: string;
  state: 'down' | 'degraded';
  opened_at: Date | string | number;
  duration_ms: number | string;
  is_open: number | boolean | string;
};

/**
 * The entity's incidents that overlap the week, of its own checks (not
 * previews'), worst first: down before degraded, then longest; an incident
 * still open at the run (or closed after it) lasts until the run, so a
 * retried digest tells the same.
 */
async function worstIncidents(
  knex: Knex,
  payload: WeeklyDigestPayload,
): Promise<DigestIncident[]> {
  const week = deployWindow(payload.from, payload.to);
  const runAtMs = Date.parse(payload.runAt);
  const sql = deployEventSql(knex);
  const closedByRun = `i.closed_at IS NOT NULL AND ${sql.epochMs(
    'i.closed_at',
  )} <= CAST(? AS BIGINT)`;
  const endMs = `CASE WHEN ${closedByRun} THEN ${sql.epochMs(
    'i.closed_at',
  )} ELSE CAST(? AS BIGINT) END`;
  const rows: IncidentRow[] = await knex('health_incidents as i')
    .join('health_checks as c', 'c.id', 'i.check_id')
    .where('i.entity_ref', payload.entityRef)
    .whereNot('c.source', 'preview')
    .where('i.opened_at', '<', new Date(week.endMs))
    .where(q =>
      q
        .whereNull('i.closed_at')
        .orWhere('i.closed_at', '>=', new Date(week.startMs)),
    )
    .select(
      'c.name as check_name',
      'i.state',
      'i.opened_at',
      knex.raw(`${endMs} - ${sql.epochMs('i.opened_at')} AS duration_ms`, [
        runAtMs,
        runAtMs,
      ]),
      knex.raw(`CASE WHEN ${closedByRun} THEN 0 ELSE 1 END AS is_open`, [
        runAtMs,
      ]),
    )
    .orderByRaw(
      `CASE WHEN i.state = 'down' THEN 0 ELSE 1 END, duration_ms DESC, i.id`,
    )
    .limit(DIGEST_TOP);
  return rows.map(row => ({
    checkName: row.check_name,
    state: row.state,
    openedAt: toDate(row.opened_at).toISOString(),
    durationMs: Number(row.duration_ms),
    open: Number(row.is_open) === 1,
  }));
}

/** DORA's ratings of the entity over the 4 weeks ending with `to`. */
async function doraRatings(
  knex: Knex,
  entityRef: string,
  to: string,
  options: DoraOptions,
): Promise<WeeklyDigest['dora']> {
  const window = { from: shiftDay(to, 1 - DIGEST_DORA_DAYS), to };
  const metrics = await doraOfEntity(knex, { entityRef, window, options });
  const key = ({ rating, reason }: DigestDoraKey) => ({ rating, reason });
  return {
    window,
    keys: {
      deploymentFrequency: key(metrics.deploymentFrequency),
      leadTimeForChanges: key(metrics.leadTimeForChanges),
      changeFailureRate: key(metrics.changeFailureRate),
      recoveryTime: key(metrics.recoveryTime),
    },
  };
}

/**
 * One entity's weekly digest (the payload's week, every environment),
 * compared with the week before; DORA over the 4 weeks ending with it.
 */
export async function loadWeeklyDigest(
  knex: Knex,
  payload: WeeklyDigestPayload,
  options: { dora: DoraOptions },
): Promise<WeeklyDigest> {
  const { entityRef, from, to } = payload;
  const query = { entityRef, environmentClass: null };
  const [week, previousWeek, dora, incidents] = await Promise.all([
    entityAnalytics(knex, { ...query, from, to }),
    entityAnalytics(knex, {
      ...query,
      from: shiftDay(from, -7),
      to: shiftDay(to, -7),
    }),
    doraRatings(knex, entityRef, to, options.dora),
    worstIncidents(knex, payload),
  ]);
  return {
    entityRef,
    from,
    to,
    deploys: week.deploys.total,
    successRate: week.deploys.successRate,
    totalTimeP95Ms: {
      week: week.totalTime.p95Ms,
      previousWeek: previousWeek.totalTime.p95Ms,
    },
    topErrorClasses: week.errorClasses.slice(0, DIGEST_TOP),
    dora,
    worstIncidents: incidents,
  };
}
