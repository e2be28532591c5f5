import { utcDayOf } from '../metrics/deployWindow';
import { lowerMedian } from './lowerMedian';

/** Monday's date of the UTC week (Monday to Sunday) of `day`. */
function mondayOf(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const sinceMonday = (new Date(ms).getUTCDay() + 6) % 7;
  return utcDayOf(ms - sinceMonday * 86_400_000);
}

/**
 * DevLake's deployment frequency measures: the days of the window with a
 * deploy, counted per week (Monday to Sunday, UTC) and per calendar month
 * overlapping the window, partial ones and those without a deploy
 * included, and the lower median of each.
 */
export function medianDeployDays(
  windowDays: readonly string[],
  deployDays: ReadonlySet<string>,
): { perWeek: number; perMonth: number } {
  const perWeek = new Map<string, number>();
  const perMonth = new Map<string, number>();
  for (const day of windowDays) {
    const deployed = deployDays.has(day) ? 1 : 0;
    const week = mondayOf(day);
    const month = day.slice(0, 7);
    perWeek.set(week, (perWeek.get(week) ?? 0) + deployed);
    perMonth.set(month, (perMonth.get(month) ?? 0) + deployed);
  }
  return {
    perWeek: lowerMedian([...perWeek.values()])!,
    perMonth: lowerMedian([...perMonth.values()])!,
  };
}
