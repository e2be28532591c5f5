import { InputError } from '@backstage/errors';

/** The longest window the metrics read, in days (both ends included). */
export const MAX_WINDOW_DAYS = 400;
export const DAY_MS = 86_400_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A window of whole UTC days, `from` and `to` both included. */
export interface DeployWindow {
  from: string;
  to: string;
  /** The start of `from`, epoch ms. */
  startMs: number;
  /** The start of the day after `to`, epoch ms (excluded). */
  endMs: number;
  /** Every day of the window, oldest first. */
  days: string[];
}

/** The UTC day (`YYYY-MM-DD`) of an instant. */
export const utcDayOf = (ms: number): string =>
  new Date(ms).toISOString().slice(0, 10);

/** The start of a UTC day, epoch ms; throws InputError unless a real date. */
export function dayStartMs(day: string): number {
  const ms = ISO_DATE.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || utcDayOf(ms) !== day) {
    throw new InputError(`'${day}' is not a date (YYYY-MM-DD)`);
  }
  return ms;
}

/**
 * The window `from`..`to` (ISO dates, UTC, both included): `to` not before
 * `from`, at most MAX_WINDOW_DAYS days.
 */
export function deployWindow(from: string, to: string): DeployWindow {
  const startMs = dayStartMs(from);
  const endMs = dayStartMs(to) + DAY_MS;
  const count = (endMs - startMs) / DAY_MS;
  if (count < 1) {
    throw new InputError(`The window ends (${to}) before it starts (${from})`);
  }
  if (count > MAX_WINDOW_DAYS) {
    throw new InputError(
      `The window has ${count} days; at most ${MAX_WINDOW_DAYS} are allowed`,
    );
  }
  const days = Array.from({ length: count }, (_, i) =>
    utcDayOf(startMs + i * DAY_MS),
  );
  return { from, to, startMs, endMs, days };
}
