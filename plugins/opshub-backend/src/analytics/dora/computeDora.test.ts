import { computeDora } from './computeDora';
import type { DoraInputs } from './types';

const A = 'component:default/shop';
const B = 'component:default/cart';
const ms = (iso: string) => Date.parse(iso);

let ids = 0;
const deploy = (finishedAt: string, entityRef = A) => ({
  id: String(++ids),
  entityRef,
  finishedAtMs: ms(finishedAt),
});
const incident = (
  openedAt: string,
  closedAt: string | null,
  entityRef = A,
) => ({
  id: ++ids,
  entityRef,
  openedAtMs: ms(openedAt),
  closedAtMs: closedAt === null ? null : ms(closedAt),
});
const change = (firstCommitAt: string, deployedAt: string, entityRef = A) => ({
  entityRef,
  repository: 'acme/shop',
  prNumber: ++ids,
  firstCommitAtMs: ms(firstCommitAt),
  deployedAtMs: ms(deployedAt),
});
const inputs = (partial: Partial<DoraInputs>): DoraInputs => ({
  deploys: [],
  incidents: [],
  changes: [],
  githubCommitsReadable: true,
  ...partial,
});
/** Monday 2 to Sunday 8 November 2026. */
const WEEK = { from: '2026-11-02', to: '2026-11-08' };

describe('computeDora', () => {
  it('has no values, with their reasons, without deploys', () => {
    expect(
      computeDora(
        inputs({ incidents: [incident('2026-11-03T10:00:00Z', null)] }),
        WEEK,
      ),
    ).toEqual({
      deploymentFrequency: {
        medianDeployDaysPerWeek: null,
        medianDeployDaysPerMonth: null,
        deploys: 0,
        rating: null,
        reason: 'no-deploys',
      },
      leadTimeForChanges: {
        medianHours: null,
        changes: 0,
        rating: null,
        reason: 'no-deployed-changes',
      },
      changeFailureRate: {
        value: null,
        failedDeploys: 0,
        deploys: 0,
        rating: null,
        reason: 'no-deploys',
      },
      recoveryTime: {
        medianHours: null,
        incidents: 0,
        rating: null,
        reason: 'no-recovered-incidents',
      },
    });
  });

  it('rates one deploy without incidents: one day in the week and the month, no failure', () => {
    const dora = computeDora(
      inputs({ deploys: [deploy('2026-11-04T10:00:00Z')] }),
      WEEK,
    );
    expect(dora.deploymentFrequency).toEqual({
      medianDeployDaysPerWeek: 1,
      medianDeployDaysPerMonth: 1,
      deploys: 1,
      rating: 'high',
      reason: null,
    });
    expect(dora.changeFailureRate).toEqual({
      value: 0,
      failedDeploys: 0,
      deploys: 1,
      rating: 'elite',
      reason: null,
    });
    expect(dora.recoveryTime.reason).toBe('no-recovered-incidents');
  });

  it('counts days with a deploy per Monday–Sunday week, weeks without any included, and takes the lower median', () => {
    const deploys = [
      // Week of 2 November: Monday twice and Tuesday, 2 days.
      deploy('2026-11-02T00:00:00Z'),
      deploy('2026-11-02T23:59:59Z'),
      deploy('2026-11-03T12:00:00Z'),
      // Week of 9 November: none. Week of 16 November: 3 days.
      deploy('2026-11-18T12:00:00Z'),
      deploy('2026-11-19T12:00:00Z'),
      deploy('2026-11-20T12:00:00Z'),
      // Week of 23 November: none.
    ];
    // Weeks [2, 0, 3]: the 2nd smallest is 2.
    expect(
      computeDora(inputs({ deploys }), { from: '2026-11-02', to: '2026-11-22' })
        .deploymentFrequency,
    ).toEqual({
      medianDeployDaysPerWeek: 2,
      medianDeployDaysPerMonth: 5,
      deploys: 6,
      rating: 'high',
      reason: null,
    });
    // Weeks [2, 0, 3, 0]: the 2nd smallest is 0; 5 days in November.
    expect(
      computeDora(inputs({ deploys }), { from: '2026-11-02', to: '2026-11-29' })
        .deploymentFrequency,
    ).toEqual({
      medianDeployDaysPerWeek: 0,
      medianDeployDaysPerMonth: 5,
      deploys: 6,
      rating: 'medium',
      reason: null,
    });
  });

  it('rates a deploy every day of every week elite, and fewer than one day a month low', () => {
    const daily = Array.from({ length: 7 }, (_, i) =>
      deploy(`2026-11-0${i + 2}T09:00:00Z`),
    );
    expect(
      computeDora(inputs({ deploys: daily }), WEEK).deploymentFrequency,
    ).toMatchObject({ medianDeployDaysPerWeek: 7, rating: 'elite' });
    // October 2026 without a deploy, November with one: months [0, 1] → 0.
    expect(
      computeDora(inputs({ deploys: [deploy('2026-11-04T10:00:00Z')] }), {
        from: '2026-10-01',
        to: '2026-11-30',
      }).deploymentFrequency,
    ).toMatchObject({
      medianDeployDaysPerWeek: 0,
      medianDeployDaysPerMonth: 0,
      deploys: 1,
      rating: 'low',
    });
  });

  it('splits a window across a year end into partial weeks and months by UTC day', () => {
    const deploys = [
      deploy('2026-12-29T23:59:59Z'), // before the window
      deploy('2026-12-31T23:30:00Z'),
      deploy('2027-01-01T00:30:00Z'),
      deploy('2027-01-05T08:00:00Z'),
      deploy('2027-01-06T00:00:00Z'), // after the window
    ];
    // Weeks of 28 December (30 Dec–3 Jan: 2 days) and 4 January (1 day);
    // December 1 day, January 2 days.
    expect(
      computeDora(inputs({ deploys }), { from: '2026-12-30', to: '2027-01-05' })
        .deploymentFrequency,
    ).toEqual({
      medianDeployDaysPerWeek: 1,
      medianDeployDaysPerMonth: 1,
      deploys: 3,
      rating: 'high',
      reason: null,
    });
  });

  it('gives an incident to the last deploy of its entity finished strictly before it opened, none before the first deploy', () => {
    const first = deploy('2026-11-03T10:00:00Z');
    const second = deploy('2026-11-05T10:00:00Z');
    const dora = computeDora(
      inputs({
        deploys: [first, second],
        incidents: [
          // Before the first deploy: nobody's.
          incident('2026-11-03T09:00:00Z', '2026-11-03T09:30:00Z'),
          // Opened the instant the second finished: the first's.
          incident('2026-11-05T10:00:00Z', '2026-11-05T12:00:00Z'),
          // Another entity's: not this one's deploys.
          incident('2026-11-06T10:00:00Z', '2026-11-06T11:00:00Z', B),
        ],
      }),
      WEEK,
    );
    expect(dora.changeFailureRate).toEqual({
      value: 0.5,
      failedDeploys: 1,
      deploys: 2,
      rating: 'low',
      reason: null,
    });
    // 2026-11-05T12:00 − 2026-11-03T10:00 = 50 hours.
    expect(dora.recoveryTime).toEqual({
      medianHours: 50,
      incidents: 1,
      rating: 'medium',
      reason: null,
    });
  });

  it('counts an open incident as a failure but not as a recovery', () => {
    const dora = computeDora(
      inputs({
        deploys: [deploy('2026-11-03T10:00:00Z')],
        incidents: [incident('2026-11-03T11:00:00Z', null)],
      }),
      WEEK,
    );
    expect(dora.changeFailureRate).toMatchObject({
      value: 1,
      failedDeploys: 1,
      rating: 'low',
    });
    expect(dora.recoveryTime).toEqual({
      medianHours: null,
      incidents: 0,
      rating: null,
      reason: 'no-recovered-incidents',
    });
  });

  it('gives an incident after the window to its last deploy, which a later deploy takes over; recoveries count when closed within the window', () => {
    const last = deploy('2026-11-08T22:00:00Z');
    const afterWindow = incident(
      '2026-11-09T01:00:00Z',
      '2026-11-09T02:00:00Z',
    );
    expect(
      computeDora(inputs({ deploys: [last], incidents: [afterWindow] }), WEEK),
    ).toMatchObject({
      changeFailureRate: { value: 1, failedDeploys: 1, deploys: 1 },
      recoveryTime: { medianHours: null, reason: 'no-recovered-incidents' },
    });
    const next = deploy('2026-11-09T00:30:00Z');
    expect(
      computeDora(
        inputs({ deploys: [last, next], incidents: [afterWindow] }),
        WEEK,
      ).changeFailureRate,
    ).toMatchObject({ value: 0, failedDeploys: 0, deploys: 1 });
  });

  it('takes the lower median of recovery times, one per incident', () => {
    const first = deploy('2026-11-03T10:00:00Z');
    const second = deploy('2026-11-05T10:00:00Z');
    const dora = computeDora(
      inputs({
        deploys: [first, second],
        incidents: [
          incident('2026-11-03T10:10:00Z', '2026-11-03T11:00:00Z'), // 1 h
          incident('2026-11-03T12:00:00Z', '2026-11-03T13:00:00Z'), // 3 h
          incident('2026-11-05T10:05:00Z', '2026-11-05T10:30:00Z'), // 0.5 h
        ],
      }),
      WEEK,
    );
    expect(dora.changeFailureRate).toMatchObject({
      value: 1,
      failedDeploys: 2,
      deploys: 2,
    });
    expect(dora.recoveryTime).toEqual({
      medianHours: 1,
      incidents: 3,
      rating: 'high',
      reason: null,
    });
  });

  it('takes the lower median of first commit → first deploy over the changes, and none without GitHub credentials', () => {
    const changes = [
      change('2026-11-03T08:00:00Z', '2026-11-03T10:00:00Z'), // 2 h
      change('2026-11-02T04:00:00Z', '2026-11-03T10:00:00Z'), // 30 h
      change('2026-10-27T02:00:00Z', '2026-11-04T10:00:00Z'), // 200 h
      change('2026-11-04T05:00:00Z', '2026-11-04T10:00:00Z'), // 5 h
    ];
    expect(computeDora(inputs({ changes }), WEEK).leadTimeForChanges).toEqual({
      medianHours: 5,
      changes: 4,
      rating: 'elite',
      reason: null,
    });
    expect(
      computeDora(inputs({ changes: changes.slice(1, 3) }), WEEK)
        .leadTimeForChanges,
    ).toMatchObject({ medianHours: 30, rating: 'high' });
    expect(
      computeDora(inputs({ changes, githubCommitsReadable: false }), WEEK)
        .leadTimeForChanges,
    ).toEqual({
      medianHours: null,
      changes: 4,
      rating: null,
      reason: 'no-github-credentials',
    });
  });

  it('counts a first commit dated after its deploy as no lead time', () => {
    expect(
      computeDora(
        inputs({
          changes: [change('2026-11-03T11:00:00Z', '2026-11-03T10:00:00Z')],
        }),
        WEEK,
      ).leadTimeForChanges,
    ).toMatchObject({ medianHours: 0, rating: 'elite' });
  });

  it('counts a day once for a set of entities, and attributes incidents within each entity', () => {
    const dora = computeDora(
      inputs({
        deploys: [
          deploy('2026-11-03T10:00:00Z', A),
          deploy('2026-11-03T15:00:00Z', B),
          deploy('2026-11-04T09:00:00Z', B),
        ],
        incidents: [
          // B's, before B's first deploy (A deployed before it): nobody's.
          incident('2026-11-03T12:00:00Z', '2026-11-03T13:00:00Z', B),
          // A's, after B's deploy: A's deploy of 10:00, 6 hours.
          incident('2026-11-03T16:00:00Z', '2026-11-03T16:00:00Z', A),
        ],
      }),
      WEEK,
    );
    expect(dora.deploymentFrequency).toMatchObject({
      medianDeployDaysPerWeek: 2,
      deploys: 3,
    });
    expect(dora.changeFailureRate).toMatchObject({
      value: 1 / 3,
      failedDeploys: 1,
      deploys: 3,
      rating: 'low',
    });
    expect(dora.recoveryTime).toMatchObject({ medianHours: 6, incidents: 1 });
  });

  it('measures hours unrounded', () => {
    const dora = computeDora(
      inputs({
        deploys: [deploy('2026-11-03T10:00:00Z')],
        incidents: [incident('2026-11-03T10:01:00Z', '2026-11-03T10:21:00Z')],
      }),
      WEEK,
    );
    expect(dora.recoveryTime.medianHours).toBeCloseTo(21 / 60, 12);
    expect(dora.recoveryTime.rating).toBe('elite');
  });
});
