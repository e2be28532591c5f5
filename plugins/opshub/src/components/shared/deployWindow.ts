/** The window lengths offered, in days (ending today, UTC). */
export const WINDOW_PRESETS = [7, 30, 90, 365] as const;

/** The longest window the backend answers for, in days. */
export const MAX_WINDOW_DAYS = 400;

/** Whole UTC days, both inclusive, as `YYYY-MM-DD`. */
export interface DeployWindow {
  from: string;
  to: string;
}

/** What the user picked: a preset length, or their own dates. */
export type DeployWindowChoice =
  | { days: (typeof WINDOW_PRESETS)[number] }
  | { custom: DeployWindow };

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of an instant, as `YYYY-MM-DD`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included. */
export function lastDays(days: number, now: number): DeployWindow {
  return { from: utcDay(now - (days - 1) * DAY_MS), to: utcDay(now) };
}

/** Days from `from` to `to`, both inclusive. */
const lengthInDays = (window: DeployWindow) =>
  (Date.parse(window.to) - Date.parse(window.from)) / DAY_MS + 1;

/** Why a window cannot be asked for, or undefined when it can. */
export function windowProblem(window: DeployWindow): string | undefined {
  if (
    !ISO_DAY.test(window.from) ||
    !ISO_DAY.test(window.to) ||
    Number.isNaN(Date.parse(window.from)) ||
    Number.isNaN(Date.parse(window.to))
  ) {
    return 'Pick both dates.';
  }
  if (window.from > window.to) return 'The start is after the end.';
  if (lengthInDays(window) > MAX_WINDOW_DAYS) {
    return `Pick at most ${MAX_WINDOW_DAYS} days.`;
  }
  return undefined;
}

/** The window a choice stands for, today being the UTC day of `now`. */
export function windowOf(
  choice: DeployWindowChoice,
  now: number,
): DeployWindow {
  return 'days' in choice ? lastDays(choice.days, now) : choice.custom;
}
