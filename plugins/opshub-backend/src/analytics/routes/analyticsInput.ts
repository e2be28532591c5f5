import { DEPLOY_ENVIRONMENT_CLASSES } from '@opshub/plugin-opshub-common';
import { z } from 'zod';
import {
  DAY_MS,
  dayStartMs,
  deployWindow,
  type DeployWindow,
  utcDayOf,
} from '../metrics/deployWindow';

/** The window without `from`: this many days ending at `to`. */
export const DEFAULT_WINDOW_DAYS = 30;
export const DEFAULT_OVERVIEW_LIMIT = 50;
export const MAX_OVERVIEW_LIMIT = 200;

const isoDay = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });

const windowFields = {
  from: isoDay.optional(),
  to: isoDay.optional(),
};

export const entityAnalyticsQuery = z.object({
  ...windowFields,
  environment: z
    .enum(DEPLOY_ENVIRONMENT_CLASSES, {
      error: `must be one of ${DEPLOY_ENVIRONMENT_CLASSES.join(', ')}`,
    })
    .optional(),
});

/** The group route has a window and nothing else. */
export const groupAnalyticsQuery = z.object(windowFields);

export const overviewQuery = z.object({
  ...windowFields,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_OVERVIEW_LIMIT)
    .default(DEFAULT_OVERVIEW_LIMIT),
  after: z.string().max(600).optional(),
});

/**
 * The request's window: `to` defaults to today (UTC), `from` to the
 * {@link DEFAULT_WINDOW_DAYS} days ending at `to`; 400 when `from` is after
 * `to` or the window spans more than the metrics' 400 days.
 */
export function requestedWindow(
  query: { from?: string; to?: string },
  nowMs: number,
): DeployWindow {
  const to = query.to ?? utcDayOf(nowMs);
  const from =
    query.from ?? utcDayOf(dayStartMs(to) - (DEFAULT_WINDOW_DAYS - 1) * DAY_MS);
  return deployWindow(from, to);
}
