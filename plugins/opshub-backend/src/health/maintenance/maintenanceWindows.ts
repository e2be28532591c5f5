import type {
  OpsHubMaintenanceWindowInput,
  OpsHubWeekday,
} from '@opshub/plugin-opshub-common';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Maintenance windows as times: when a one-off window starts and ends, and
 * whether any window is open at an instant. Local times are wall-clock
 * times in the window's IANA zone: a weekly window starts at the same
 * local time every week whatever the zone's UTC offset that day. A local
 * time the zone skips (spring forward) moves forward by the gap, as luxon
 * does (02:30 becomes 03:30); one it repeats (fall back) is the earlier of
 * its two instants. A window's start is in it, its end is not.
 */

/** Monday first, as luxon numbers weekdays (1..7). */
export const WEEKDAYS: readonly OpsHubWeekday[] = [
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
];
/** The longest weekly window: a whole week. */
export const MAX_WEEKLY_MINUTES = 7 * 24 * 60;
/** The longest one-off window. */
export const MAX_ONCE_DAYS = 31;
export const MAX_REASON_LENGTH = 500;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** `YYYY-MM-DDTHH:mm` as its parts; undefined when no such date or time. */
function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  // Any zone tells whether the date exists (February 30 does nowhere).
  const valid = DateTime.fromObject(
    { year, month, day, hour, minute },
    { zone: 'UTC' },
  ).isValid;
  return valid ? { year, month, day, hour, minute } : undefined;
}

/**
 * The instant of a local date-time in `zone`: the earlier one when the zone
 * repeats it, the one luxon moves it to when the zone skips it.
 */
export function localInstant(local: LocalDateTime, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  const asUtc = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
  );
  // The zone's offsets a day either side: a local time that exists is at
  // one of them (no zone changes its offset twice within two days).
  const candidates = [asUtc - DAY_MS, asUtc + DAY_MS]
    .map(around => asUtc - zone.offset(around) * MINUTE_MS)
    .filter(instant => asUtc - zone.offset(instant) * MINUTE_MS === instant);
  if (candidates.length > 0) return Math.min(...candidates);
  return DateTime.fromObject(local, { zone }).toMillis();
}

/** A one-off window's instants; undefined for a malformed one. */
export function onceInstants(window: {
  startsAt: string;
  endsAt: string;
  timeZone: string;
}): { startMs: number; endMs: number } | undefined {
  const start = parseLocalDateTime(window.startsAt);
  const end = parseLocalDateTime(window.endsAt);
  if (!start || !end || !IANAZone.isValidZone(window.timeZone)) {
    return undefined;
  }
  return {
    startMs: localInstant(start, window.timeZone),
    endMs: localInstant(end, window.timeZone),
  };
}

/** Whether `window` is open at `atMs` (start inclusive, end exclusive). */
export function windowOpenAt(
  window: OpsHubMaintenanceWindowInput,
  atMs: number,
): boolean {
  if (window.kind === 'once') {
    const instants = onceInstants(window);
    return (
      instants !== undefined &&
      instants.startMs <= atMs &&
      atMs < instants.endMs
    );
  }
  const time = LOCAL_TIME.exec(window.startTime);
  if (!time || !IANAZone.isValidZone(window.timeZone)) return false;
  const [hour, minute] = [Number(time[1]), Number(time[2])];
  const days = new Set(window.days);
  const durationMs = window.durationMinutes * MINUTE_MS;
  const today = DateTime.fromMillis(atMs, { zone: window.timeZone });
  // A window that started on an earlier day may still run (across
  // midnight or a week's end): up to a week back for the longest.
  for (let back = 0; back <= 7; back++) {
    const day = today.minus({ days: back });
    if (!days.has(WEEKDAYS[day.weekday - 1])) continue;
    const startMs = localInstant(
      { year: day.year, month: day.month, day: day.day, hour, minute },
      window.timeZone,
    );
    if (startMs <= atMs && atMs < startMs + durationMs) return true;
  }
  return false;
}

/** The first of `windows` open at `atMs`, if any. */
export function openWindowAt<W extends OpsHubMaintenanceWindowInput>(
  windows: readonly W[],
  atMs: number,
): W | undefined {
  return windows.find(window => windowOpenAt(window, atMs));
}

const timeZone = z
  .string()
  .max(64)
  .refine(zone => IANAZone.isValidZone(zone), {
    error: 'must be an IANA time zone name, e.g. Europe/Berlin',
  });
const localDateTime = z
  .string()
  .refine(text => parseLocalDateTime(text) !== undefined, {
    error: 'must be a local date-time YYYY-MM-DDTHH:mm',
  });
const reason = z.string().trim().max(MAX_REASON_LENGTH).nullable().optional();

/**
 * The body of `POST .../maintenance`; unknown fields are 400s. A one-off
 * window ends after it starts and lasts at most 31 days; a weekly one
 * names distinct days and lasts 1 minute to a week. Days come back in
 * week order.
 */
export const maintenanceWindowBody = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('once'),
      startsAt: localDateTime,
      endsAt: localDateTime,
      timeZone,
      reason,
    })
    .superRefine((window, ctx) => {
      const instants = onceInstants(window);
      if (!instants) return; // a field's own check speaks
      const { startMs, endMs } = instants;
      if (endMs <= startMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['endsAt'],
          message: 'must be after startsAt',
        });
      } else if (endMs - startMs > MAX_ONCE_DAYS * DAY_MS) {
        ctx.addIssue({
          code: 'custom',
          path: ['endsAt'],
          message: `must be at most ${MAX_ONCE_DAYS} days after startsAt`,
        });
      }
    }),
  z.strictObject({
    kind: z.literal('weekly'),
    days: z
      .array(z.enum(WEEKDAYS as [OpsHubWeekday, ...OpsHubWeekday[]]))
      .min(1)
      .refine(days => new Set(days).size === days.length, {
        error: 'must not repeat a day',
      })
      .transform(days =>
        [...days].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)),
      ),
    startTime: z.string().regex(LOCAL_TIME, 'must be a local time HH:mm'),
    durationMinutes: z.number().int().min(1).max(MAX_WEEKLY_MINUTES),
    timeZone,
    reason,
  }),
]);
