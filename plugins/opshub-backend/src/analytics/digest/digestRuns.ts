import { CronTime } from 'cron';
import { DateTime } from 'luxon';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Cron's finest step: a span shorter than this holds at most one run. */
const MINUTE_MS = 60 * 1000;
/** Longer than any daylight-saving change. */
const BEFORE_A_CHANGE_MS = 3 * 60 * 60 * 1000;

/**
 * The runs of `cron` in `timeZone`, as a function from an instant to the
 * first run strictly after it. Walking forward from before an autumn
 * change, the `cron` package fires a repeated wall-clock time once, at its
 * first occurrence; asked from inside the repeated hour, it would fire it
 * again. Dropping second occurrences makes the runs the same from any
 * starting point, so a run handled before the change is not found again.
 */
function cronRuns(cron: string, timeZone: string): (afterMs: number) => number {
  const time = new CronTime(cron, timeZone);
  return afterMs => {
    let run = time.getNextDateFrom(new Date(afterMs), timeZone).toMillis();
    while (repeatsAnEarlierWallTime(run, timeZone)) {
      run = time.getNextDateFrom(new Date(run), timeZone).toMillis();
    }
    return run;
  };
}

/** Whether the local time at `ms` already occurred, before a clock went back. */
function repeatsAnEarlierWallTime(ms: number, timeZone: string): boolean {
  const at = DateTime.fromMillis(ms, { zone: timeZone });
  const before = DateTime.fromMillis(ms - BEFORE_A_CHANGE_MS, {
    zone: timeZone,
  });
  const wentBackMinutes = before.offset - at.offset;
  if (wentBackMinutes <= 0) return false;
  const twin = DateTime.fromMillis(ms - wentBackMinutes * MINUTE_MS, {
    zone: timeZone,
  });
  return twin.toFormat('yyyy-MM-dd HH:mm') === at.toFormat('yyyy-MM-dd HH:mm');
}

/**
 * The first run of `cron` (five fields, read in `timeZone`) strictly after
 * `afterMs`. Backstage's scheduler reads cron in UTC only, so OpsHub asks
 * the `cron` package, which follows the zone's offset on every date: a
 * Monday 09:00 stays 09:00 local across daylight-saving changes, a time the
 * spring change skips runs at the first valid minute after it, and one the
 * autumn change repeats runs once (at its first occurrence).
 */
export function nextDigestRun(
  cron: string,
  timeZone: string,
  afterMs: number,
): number {
  return cronRuns(cron, timeZone)(afterMs);
}

/**
 * The latest run of `cron` in (`notBeforeMs`, `nowMs`], if any. Cron only
 * steps forward, so this walks from a start that moves back (doubling)
 * until a run lies between it and now: a few steps whether the schedule is
 * every minute or once a year, and however long ago `notBeforeMs` is.
 */
export function latestDigestRunAtOrBefore(
  cron: string,
  timeZone: string,
  nowMs: number,
  notBeforeMs: number,
): number | undefined {
  const after = cronRuns(cron, timeZone);
  for (let span = MINUTE_MS; ; span *= 2) {
    const start = Math.max(notBeforeMs, nowMs - span);
    let run = after(start);
    if (run <= nowMs) {
      for (let next = after(run); next <= nowMs; next = after(next)) {
        run = next;
      }
      return run;
    }
    if (start === notBeforeMs) return undefined;
  }
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The week a run reports on: the 7 UTC days before the run's UTC date,
 * as ISO dates, both inclusive.
 */
export function digestWeek(runAtMs: number): { from: string; to: string } {
  const runDay = Math.floor(runAtMs / DAY_MS) * DAY_MS;
  return {
    from: isoDay(runDay - 7 * DAY_MS),
    to: isoDay(runDay - DAY_MS),
  };
}
