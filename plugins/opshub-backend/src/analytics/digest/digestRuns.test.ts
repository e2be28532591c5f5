import {
  digestWeek,
  latestDigestRunAtOrBefore,
  nextDigestRun,
} from './digestRuns';

const MONDAY_NINE = '0 9 * * 1';
const HALF_PAST_TWO = '30 2 * * *';
const t = Date.parse;
const iso = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The runs after `fromIso`, as UTC ISO instants. */
function runsAfter(cron: string, timeZone: string, fromIso: string, n: number) {
  const runs: string[] = [];
  let at = t(fromIso);
  for (let i = 0; i < n; i++) {
    at = nextDigestRun(cron, timeZone, at);
    runs.push(iso(at)!);
  }
  return runs;
}

describe('nextDigestRun', () => {
  it('keeps Monday 09:00 local across both European changes (Europe/Berlin)', () => {
    expect(
      runsAfter(MONDAY_NINE, 'Europe/Berlin', '2027-03-20T00:00:00Z', 2),
    ).toEqual(['2027-03-22T08:00:00.000Z', '2027-03-29T07:00:00.000Z']);
    expect(
      runsAfter(MONDAY_NINE, 'Europe/Berlin', '2027-10-24T00:00:00Z', 2),
    ).toEqual(['2027-10-25T07:00:00.000Z', '2027-11-01T08:00:00.000Z']);
  });

  it('keeps Monday 09:00 local across both American changes (America/New_York)', () => {
    expect(
      runsAfter(MONDAY_NINE, 'America/New_York', '2027-03-06T00:00:00Z', 2),
    ).toEqual(['2027-03-08T14:00:00.000Z', '2027-03-15T13:00:00.000Z']);
    expect(
      runsAfter(MONDAY_NINE, 'America/New_York', '2027-10-30T00:00:00Z', 2),
    ).toEqual(['2027-11-01T13:00:00.000Z', '2027-11-08T14:00:00.000Z']);
  });

  it('runs a skipped 02:30 at the first minute after the spring change, and a repeated one once', () => {
    // Europe/Berlin: 02:00 → 03:00 on 2027-03-28, 03:00 → 02:00 on 2027-10-31.
    expect(
      runsAfter(HALF_PAST_TWO, 'Europe/Berlin', '2027-03-26T12:00:00Z', 3),
    ).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z', // 03:00 CEST
      '2027-03-29T00:30:00.000Z',
    ]);
    expect(
      runsAfter(HALF_PAST_TWO, 'Europe/Berlin', '2027-10-29T12:00:00Z', 3),
    ).toEqual([
      '2027-10-30T00:30:00.000Z',
      '2027-10-31T00:30:00.000Z', // the first 02:30, CEST; not again in CET
      '2027-11-01T01:30:00.000Z',
    ]);
    // America/New_York: 02:00 → 03:00 on 2027-03-14, 02:00 → 01:00 on 2027-11-07.
    expect(
      runsAfter(HALF_PAST_TWO, 'America/New_York', '2027-03-13T00:00:00Z', 3),
    ).toEqual([
      '2027-03-13T07:30:00.000Z',
      '2027-03-14T07:00:00.000Z', // 03:00 EDT
      '2027-03-15T06:30:00.000Z',
    ]);
    expect(
      runsAfter(HALF_PAST_TWO, 'America/New_York', '2027-11-06T00:00:00Z', 3),
    ).toEqual([
      '2027-11-06T06:30:00.000Z',
      '2027-11-07T07:30:00.000Z', // 02:30 EST: 01:00–02:00 repeats, 02:30 does not
      '2027-11-08T07:30:00.000Z',
    ]);
  });

  it('never runs a repeated wall-clock time twice, from wherever it is asked', () => {
    // Inside Berlin's repeated hour (01:00–02:00 UTC on 2027-10-31).
    expect(
      iso(
        nextDigestRun(
          HALF_PAST_TWO,
          'Europe/Berlin',
          t('2027-10-31T01:00:00Z'),
        ),
      ),
    ).toBe('2027-11-01T01:30:00.000Z');
    expect(
      runsAfter('30 * * * *', 'Europe/Berlin', '2027-10-31T00:00:00Z', 3),
    ).toEqual([
      '2027-10-31T00:30:00.000Z', // 02:30 CEST
      '2027-10-31T02:30:00.000Z', // 03:30 CET: 02:30 CET is skipped
      '2027-10-31T03:30:00.000Z',
    ]);
    expect(
      runsAfter('30 * * * *', 'Europe/Berlin', '2027-10-31T01:10:00Z', 1),
    ).toEqual(['2027-10-31T02:30:00.000Z']);
  });

  it('runs Monday 09:00 in Auckland on Sunday UTC, and UTC as is', () => {
    expect(
      runsAfter(MONDAY_NINE, 'Pacific/Auckland', '2027-03-01T00:00:00Z', 2),
    ).toEqual(['2027-03-07T20:00:00.000Z', '2027-03-14T20:00:00.000Z']);
    expect(runsAfter(MONDAY_NINE, 'UTC', '2027-03-01T09:00:00Z', 2)).toEqual([
      '2027-03-08T09:00:00.000Z',
      '2027-03-15T09:00:00.000Z',
    ]);
  });

  it('is strictly after the given instant', () => {
    expect(
      iso(nextDigestRun(MONDAY_NINE, 'UTC', t('2027-03-08T08:59:59.999Z'))),
    ).toBe('2027-03-08T09:00:00.000Z');
    expect(
      iso(nextDigestRun(MONDAY_NINE, 'UTC', t('2027-03-08T09:00:00Z'))),
    ).toBe('2027-03-15T09:00:00.000Z');
  });
});

describe('latestDigestRunAtOrBefore', () => {
  const latest = (
    cron: string,
    timeZone: string,
    nowIso: string,
    notBeforeIso: string,
  ) =>
    iso(latestDigestRunAtOrBefore(cron, timeZone, t(nowIso), t(notBeforeIso)));

  it('finds the run at or before now and after the last one handled', () => {
    const berlin = (now: string, notBefore: string) =>
      latest(MONDAY_NINE, 'Europe/Berlin', now, notBefore);
    // Before and after the spring change: 08:00 UTC, then 07:00 UTC.
    expect(berlin('2027-03-22T08:00:00Z', '2027-03-20T00:00:00Z')).toBe(
      '2027-03-22T08:00:00.000Z',
    );
    expect(berlin('2027-03-29T06:59:59Z', '2027-03-22T08:00:00Z')).toBe(
      undefined,
    );
    expect(berlin('2027-03-29T07:00:30Z', '2027-03-22T08:00:00Z')).toBe(
      '2027-03-29T07:00:00.000Z',
    );
    // The last run handled is not found again.
    expect(berlin('2027-03-29T07:05:00Z', '2027-03-29T07:00:00Z')).toBe(
      undefined,
    );
    // Several runs missed: the latest.
    expect(berlin('2027-11-02T00:00:00Z', '2027-03-01T00:00:00Z')).toBe(
      '2027-11-01T08:00:00.000Z',
    );
  });

  it('finds the latest of a frequent schedule after a long gap, and a rare one', () => {
    expect(
      latest(
        '*/5 * * * *',
        'UTC',
        '2027-06-01T12:07:00Z',
        '2026-01-01T00:00:00Z',
      ),
    ).toBe('2027-06-01T12:05:00.000Z');
    expect(
      latest(
        '0 0 1 1 *',
        'Pacific/Auckland',
        '2027-06-01T00:00:00Z',
        '2020-06-01T00:00:00Z',
      ),
    ).toBe('2026-12-31T11:00:00.000Z');
  });

  it('finds the repeated autumn hour once and the skipped spring time at 03:00', () => {
    expect(
      latest(
        HALF_PAST_TWO,
        'Europe/Berlin',
        '2027-10-31T02:00:00Z',
        '2027-10-30T12:00:00Z',
      ),
    ).toBe('2027-10-31T00:30:00.000Z');
    // Handled at its first occurrence, the repeated 02:30 (01:30 UTC) is not a run.
    expect(
      latest(
        HALF_PAST_TWO,
        'Europe/Berlin',
        '2027-10-31T01:30:00Z',
        '2027-10-31T00:30:00Z',
      ),
    ).toBe(undefined);
    expect(
      latest(
        HALF_PAST_TWO,
        'America/New_York',
        '2027-11-07T07:31:00Z',
        '2027-11-06T07:30:00Z',
      ),
    ).toBe('2027-11-07T07:30:00.000Z');
    expect(
      latest(
        HALF_PAST_TWO,
        'America/New_York',
        '2027-03-14T07:00:00Z',
        '2027-03-13T12:00:00Z',
      ),
    ).toBe('2027-03-14T07:00:00.000Z');
  });
});

describe('digestWeek', () => {
  it('is the 7 UTC days before the run’s UTC date', () => {
    expect(digestWeek(t('2027-03-29T07:00:00Z'))).toEqual({
      from: '2027-03-22',
      to: '2027-03-28',
    });
    // Monday 09:00 in Auckland is Sunday 20:00 UTC: the week ends Saturday.
    expect(digestWeek(t('2027-03-07T20:00:00Z'))).toEqual({
      from: '2027-02-28',
      to: '2027-03-06',
    });
    expect(digestWeek(t('2028-03-06T00:00:00Z'))).toEqual({
      from: '2028-02-28',
      to: '2028-03-05',
    });
  });
});
