import type { OpsHubMaintenanceWindowInput } from '@opshub/plugin-opshub-common';
import {
  maintenanceWindowBody,
  onceInstants,
  openWindowAt,
  windowOpenAt,
} from './maintenanceWindows';

const at = (iso: string) => Date.parse(iso);

/** Whether `window` is open just before, at and just before the end of each span. */
function openAround(
  window: OpsHubMaintenanceWindowInput,
  startIso: string,
  endIso: string,
) {
  const start = at(startIso);
  const end = at(endIso);
  return [
    windowOpenAt(window, start - 1),
    windowOpenAt(window, start),
    windowOpenAt(window, end - 1),
    windowOpenAt(window, end),
  ];
}
/** Closed just before, open from the start, closed from the end. */
const EXACTLY = [false, true, true, false];

describe('weekly windows across daylight saving changes', () => {
  const berlinSunday = (
    startTime: string,
    durationMinutes: number,
  ): OpsHubMaintenanceWindowInput => ({
    kind: 'weekly',
    days: ['sun'],
    startTime,
    durationMinutes,
    timeZone: 'Europe/Berlin',
  });

  it('keeps local time in Europe/Berlin in spring: sun 01:00 for 180 min starts at 00:00Z on the change day and 23:00Z the Saturday after', () => {
    const window = berlinSunday('01:00', 180);
    // 2026-03-29 is the change day (02:00 CET → 03:00 CEST): 180 minutes
    // elapsed end at 03:00Z, 05:00 local.
    expect(
      openAround(window, '2026-03-29T00:00:00Z', '2026-03-29T03:00:00Z'),
    ).toEqual(EXACTLY);
    // A week earlier, CET: 01:00 local is 00:00Z.
    expect(
      openAround(window, '2026-03-22T00:00:00Z', '2026-03-22T03:00:00Z'),
    ).toEqual(EXACTLY);
    // A week later, CEST: 01:00 local is 23:00Z on Saturday.
    expect(
      openAround(window, '2026-04-04T23:00:00Z', '2026-04-05T02:00:00Z'),
    ).toEqual(EXACTLY);
  });

  it('moves a start time Europe/Berlin skips forward by the gap', () => {
    // 02:30 does not exist on 2026-03-29: it is 03:30 CEST, 01:30Z.
    const window = berlinSunday('02:30', 60);
    expect(
      openAround(window, '2026-03-29T01:30:00Z', '2026-03-29T02:30:00Z'),
    ).toEqual(EXACTLY);
  });

  it('takes the earlier instant of a start time Europe/Berlin repeats in autumn, and counts elapsed minutes', () => {
    // 02:30 happens twice on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET).
    const window = berlinSunday('02:30', 90);
    expect(
      openAround(window, '2026-10-25T00:30:00Z', '2026-10-25T02:00:00Z'),
    ).toEqual(EXACTLY);
    // 01:00 on the change day is before it: CEST, 23:00Z the day before;
    // three hours elapsed end at 02:00Z, 03:00 CET.
    expect(
      openAround(
        berlinSunday('01:00', 180),
        '2026-10-24T23:00:00Z',
        '2026-10-25T02:00:00Z',
      ),
    ).toEqual(EXACTLY);
    // The week after, CET: 01:00 local is 00:00Z.
    expect(
      openAround(
        berlinSunday('01:00', 180),
        '2026-11-01T00:00:00Z',
        '2026-11-01T03:00:00Z',
      ),
    ).toEqual(EXACTLY);
  });

  it('keeps local time in America/New_York in spring and autumn', () => {
    const window = (startTime: string): OpsHubMaintenanceWindowInput => ({
      kind: 'weekly',
      days: ['sun'],
      startTime,
      durationMinutes: 120,
      timeZone: 'America/New_York',
    });
    // EST before 2026-03-08, EDT after: 01:00 local is 06:00Z, then 05:00Z.
    expect(
      openAround(
        window('01:00'),
        '2026-03-01T06:00:00Z',
        '2026-03-01T08:00:00Z',
      ),
    ).toEqual(EXACTLY);
    expect(
      openAround(
        window('01:00'),
        '2026-03-08T06:00:00Z',
        '2026-03-08T08:00:00Z',
      ),
    ).toEqual(EXACTLY);
    expect(
      openAround(
        window('01:00'),
        '2026-03-15T05:00:00Z',
        '2026-03-15T07:00:00Z',
      ),
    ).toEqual(EXACTLY);
    // 02:30 does not exist on 2026-03-08: 03:30 EDT, 07:30Z.
    expect(
      openAround(
        window('02:30'),
        '2026-03-08T07:30:00Z',
        '2026-03-08T09:30:00Z',
      ),
    ).toEqual(EXACTLY);
    // 01:30 happens twice on 2026-11-01: 05:30Z (EDT) is the one.
    expect(
      openAround(
        window('01:30'),
        '2026-11-01T05:30:00Z',
        '2026-11-01T07:30:00Z',
      ),
    ).toEqual(EXACTLY);
    // The week after, EST: 01:30 local is 06:30Z.
    expect(
      openAround(
        window('01:30'),
        '2026-11-08T06:30:00Z',
        '2026-11-08T08:30:00Z',
      ),
    ).toEqual(EXACTLY);
  });
});

describe('weekly windows across days', () => {
  it('counts a window that crosses midnight on the day after it started', () => {
    const window: OpsHubMaintenanceWindowInput = {
      kind: 'weekly',
      days: ['tue'],
      startTime: '23:00',
      durationMinutes: 120,
      timeZone: 'UTC',
    };
    // Tuesday 2026-12-01 23:00 to Wednesday 01:00.
    expect(
      openAround(window, '2026-12-01T23:00:00Z', '2026-12-02T01:00:00Z'),
    ).toEqual(EXACTLY);
    // Not on Wednesday night: only Tuesday starts one.
    expect(windowOpenAt(window, at('2026-12-02T23:30:00Z'))).toBe(false);
  });

  it('counts a Sunday window that runs into Monday, in its zone', () => {
    const window: OpsHubMaintenanceWindowInput = {
      kind: 'weekly',
      days: ['sun'],
      startTime: '22:00',
      durationMinutes: 4 * 60,
      timeZone: 'Asia/Tokyo',
    };
    // Sunday 2026-12-06 22:00 JST is 13:00Z; Monday 02:00 JST is 17:00Z.
    expect(
      openAround(window, '2026-12-06T13:00:00Z', '2026-12-06T17:00:00Z'),
    ).toEqual(EXACTLY);
  });

  it('counts a window of a whole week on the last minute before it starts again', () => {
    const window: OpsHubMaintenanceWindowInput = {
      kind: 'weekly',
      days: ['mon'],
      startTime: '08:00',
      durationMinutes: 7 * 24 * 60 - 1,
      timeZone: 'Europe/Berlin',
    };
    // Monday 2026-11-30 08:00 CET is 07:00Z; a week less a minute later.
    expect(windowOpenAt(window, at('2026-12-07T06:58:59Z'))).toBe(true);
    expect(windowOpenAt(window, at('2026-12-07T06:59:00Z'))).toBe(false);
    expect(windowOpenAt(window, at('2026-12-07T07:00:00Z'))).toBe(true);
  });

  it('opens on each of its days only', () => {
    const window: OpsHubMaintenanceWindowInput = {
      kind: 'weekly',
      days: ['mon', 'thu'],
      startTime: '03:00',
      durationMinutes: 30,
      timeZone: 'UTC',
    };
    const open = ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'].map(
      day => windowOpenAt(window, at(`${day}T03:10:00Z`)),
    );
    expect(open).toEqual([true, false, false, true]);
  });
});

describe('one-off windows', () => {
  const window: OpsHubMaintenanceWindowInput = {
    kind: 'once',
    startsAt: '2026-12-05T22:00',
    endsAt: '2026-12-06T02:30',
    timeZone: 'America/New_York',
  };

  it('takes its local date-times in its zone', () => {
    expect(onceInstants(window)).toEqual({
      startMs: at('2026-12-06T03:00:00Z'),
      endMs: at('2026-12-06T07:30:00Z'),
    });
    expect(
      openAround(window, '2026-12-06T03:00:00Z', '2026-12-06T07:30:00Z'),
    ).toEqual(EXACTLY);
  });

  it('spans a daylight saving change by its local times', () => {
    // 00:00 EDT to 04:00 EST on 2026-11-01: five hours elapsed.
    const instants = onceInstants({
      startsAt: '2026-11-01T00:00',
      endsAt: '2026-11-01T04:00',
      timeZone: 'America/New_York',
    });
    expect(instants).toEqual({
      startMs: at('2026-11-01T04:00:00Z'),
      endMs: at('2026-11-01T09:00:00Z'),
    });
  });

  it('picks the first window open', () => {
    const weekly: OpsHubMaintenanceWindowInput = {
      kind: 'weekly',
      days: ['sun'],
      startTime: '00:00',
      durationMinutes: 24 * 60,
      timeZone: 'UTC',
    };
    expect(openWindowAt([window, weekly], at('2026-12-06T05:00:00Z'))).toBe(
      window,
    );
    expect(openWindowAt([window, weekly], at('2026-12-06T20:00:00Z'))).toBe(
      weekly,
    );
    expect(
      openWindowAt([window, weekly], at('2026-12-07T00:00:00Z')),
    ).toBeUndefined();
  });
});

describe('the window body', () => {
  const problem = (body: object) => {
    const parsed = maintenanceWindowBody.safeParse(body);
    return parsed.success
      ? undefined
      : `${parsed.error.issues[0].path.join('.')}: ${
          parsed.error.issues[0].message
        }`;
  };
  const once = {
    kind: 'once',
    startsAt: '2026-12-05T22:00',
    endsAt: '2026-12-06T02:00',
    timeZone: 'Europe/Berlin',
  };
  const weekly = {
    kind: 'weekly',
    days: ['sun', 'mon'],
    startTime: '01:00',
    durationMinutes: 180,
    timeZone: 'Europe/Berlin',
    reason: 'Database backups',
  };

  it('takes valid windows and puts days in week order', () => {
    expect(maintenanceWindowBody.parse(once)).toEqual(once);
    expect(maintenanceWindowBody.parse(weekly)).toEqual({
      ...weekly,
      days: ['mon', 'sun'],
    });
  });

  it.each([
    [{ ...once, timeZone: 'Mars/Olympus' }, 'timeZone: must be an IANA'],
    [{ ...once, startsAt: '2026-02-30T10:00' }, 'startsAt: must be a local'],
    [{ ...once, startsAt: '2026-12-05 22:00' }, 'startsAt: must be a local'],
    [{ ...once, endsAt: '2026-12-05T22:00' }, 'endsAt: must be after'],
    [{ ...once, endsAt: '2027-01-06T22:01' }, 'endsAt: must be at most 31'],
    [{ ...once, reason: 'x'.repeat(501) }, 'reason: '],
    [{ ...once, extra: 1 }, ': Unrecognized key'],
    [{ ...weekly, days: [] }, 'days: '],
    [{ ...weekly, days: ['sun', 'sun'] }, 'days: must not repeat'],
    [{ ...weekly, days: ['sunday'] }, 'days.0: '],
    [{ ...weekly, startTime: '24:00' }, 'startTime: must be a local time'],
    [{ ...weekly, durationMinutes: 0 }, 'durationMinutes: '],
    [{ ...weekly, durationMinutes: 10_081 }, 'durationMinutes: '],
    [{ ...weekly, durationMinutes: 1.5 }, 'durationMinutes: '],
    [{ ...weekly, kind: 'monthly' }, 'kind: '],
  ])('refuses %j', (body, expected) => {
    expect(problem(body)).toContain(expected);
  });

  it('takes the longest windows allowed', () => {
    expect(problem({ ...once, endsAt: '2027-01-05T22:00' })).toBeUndefined();
    expect(problem({ ...weekly, durationMinutes: 10_080 })).toBeUndefined();
    expect(problem({ ...weekly, durationMinutes: 1 })).toBeUndefined();
  });

  it('refuses a one-off window that ends before it starts by UTC though not by its local times', () => {
    // 02:30 → 03:30 in the Berlin spring gap: both are 01:30Z.
    expect(
      problem({
        ...once,
        startsAt: '2026-03-29T02:30',
        endsAt: '2026-03-29T03:30',
      }),
    ).toBe('endsAt: must be after startsAt');
  });
});
