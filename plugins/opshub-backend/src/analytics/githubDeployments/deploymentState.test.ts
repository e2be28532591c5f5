import type { RecordDeploymentPayload } from './deploymentDeliveries';
import {
  applyDeploymentEvent,
  type GithubDeployState,
  sameDeployState,
} from './deploymentState';

const deployment: RecordDeploymentPayload['deployment'] = {
  id: '145988746',
  sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
  environment: 'production',
  createdAt: '2026-11-30T10:00:00Z',
};
type Status = NonNullable<RecordDeploymentPayload['status']>;

/** A status `seconds` after the deployment was created. */
const status = (
  state: Status['state'],
  seconds: number,
  url: string | null = null,
): Status => ({
  id: `${state}-${seconds}`,
  state,
  createdAt: new Date(Date.parse(deployment.createdAt) + seconds * 1000)
    .toISOString()
    .replace('.000', ''),
  url,
});
const at = (seconds: number) =>
  new Date(Date.parse(deployment.createdAt) + seconds * 1000);

const applyAll = (statuses: Status[]) =>
  statuses.reduce<GithubDeployState>(
    (deploy, s) => applyDeploymentEvent(deploy, { deployment, status: s }),
    applyDeploymentEvent(undefined, { deployment }),
  );

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [
      item,
      ...rest,
    ]),
  );
}

describe('applyDeploymentEvent', () => {
  it('queues a deployment at its created_at, not started, not finished', () => {
    expect(applyDeploymentEvent(undefined, { deployment })).toEqual({
      queuedAt: at(0),
      startedAt: null,
      finishedAt: null,
      outcome: null,
      errorCode: null,
      url: null,
    });
  });

  it.each([
    ['queued', null, null, null, null],
    ['pending', null, null, null, null],
    ['in_progress', 20, null, null, null],
    ['success', null, 20, 'succeeded', null],
    ['failure', null, 20, 'failed', 'failure'],
    ['error', null, 20, 'failed', 'error'],
    ['inactive', null, 20, 'cancelled', null],
  ] as const)(
    'maps a %s status (started %s, finished %s) to outcome %s, error code %s',
    (state, started, finished, outcome, errorCode) => {
      expect(applyAll([status(state, 20, `https://ci/${state}`)])).toEqual({
        queuedAt: at(0),
        startedAt: started === null ? null : at(started),
        finishedAt: finished === null ? null : at(finished),
        outcome,
        errorCode,
        url: `https://ci/${state}`,
      });
    },
  );

  it('starts at the first in_progress and finishes at the first terminal status; later ones change nothing', () => {
    expect(
      applyAll([
        status('queued', 1),
        status('pending', 2),
        status('in_progress', 5, 'https://ci/log'),
        status('in_progress', 9),
        status('success', 60, 'https://app'),
        status('inactive', 600, 'https://later'),
        status('failure', 700),
        status('in_progress', 800),
      ]),
    ).toEqual({
      queuedAt: at(0),
      startedAt: at(5),
      finishedAt: at(60),
      outcome: 'succeeded',
      errorCode: null,
      url: 'https://app',
    });
  });

  it('cancels a deployment set inactive before it succeeded', () => {
    expect(
      applyAll([
        status('in_progress', 5),
        status('inactive', 30),
        status('success', 40),
      ]),
    ).toMatchObject({ outcome: 'cancelled', finishedAt: at(30) });
  });

  it('gives the same deploy whatever order the statuses arrive in', () => {
    const statuses = [
      status('pending', 1, 'https://ci/pending'),
      status('in_progress', 5),
      status('in_progress', 7),
      status('failure', 60, 'https://ci/failed'),
      status('inactive', 90),
      status('in_progress', 120),
    ];
    const expected: GithubDeployState = {
      queuedAt: at(0),
      startedAt: at(5),
      finishedAt: at(60),
      outcome: 'failed',
      errorCode: 'failure',
      url: 'https://ci/failed',
    };
    for (const order of permutations(statuses)) {
      expect(applyAll(order)).toEqual(expected);
    }
  });

  it('forgets a start recorded after the terminal status that arrives late', () => {
    expect(
      applyAll([status('in_progress', 90), status('error', 60)]),
    ).toMatchObject({ startedAt: null, finishedAt: at(60), outcome: 'failed' });
  });

  it('orders terminal statuses of the same second success, failure, error, inactive', () => {
    const sameSecond = [
      status('inactive', 30),
      status('error', 30),
      status('failure', 30),
    ];
    for (const order of permutations(sameSecond)) {
      expect(applyAll(order)).toMatchObject({ errorCode: 'failure' });
      expect(applyAll([...order, status('success', 30)])).toMatchObject({
        outcome: 'succeeded',
      });
    }
  });

  it('keeps a URL once the terminal status gave one, and an earlier one when it gave none', () => {
    expect(
      applyAll([status('success', 60, 'https://app'), status('queued', 1, 'x')])
        .url,
    ).toBe('https://app');
    expect(
      applyAll([
        status('in_progress', 5, 'https://ci/log'),
        status('success', 60),
      ]).url,
    ).toBe('https://ci/log');
  });

  it('changes nothing when the same status comes again', () => {
    const once = applyAll([status('in_progress', 5), status('success', 9)]);
    const again = applyDeploymentEvent(once, {
      deployment,
      status: status('success', 9),
    });
    expect(sameDeployState(once, again)).toBe(true);
    expect(sameDeployState(once, { ...again, url: 'https://other' })).toBe(
      false,
    );
  });
});
