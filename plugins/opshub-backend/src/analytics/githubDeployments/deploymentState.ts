import type { OpsHubDeployOutcome } from '@opshub/plugin-opshub-common';
import type {
  DeploymentStatusState,
  RecordDeploymentPayload,
} from './deploymentDeliveries';

/** GitHub's terminal states a failed deploy records as its error code. */
export type GithubFailureState = 'failure' | 'error';

/** What OpsHub keeps of a GitHub deployment (one deploy_events row). */
export interface GithubDeployState {
  /** The deployment's created_at. */
  queuedAt: Date;
  /** The first in_progress status not after the terminal one. */
  startedAt: Date | null;
  /** The first terminal status. */
  finishedAt: Date | null;
  outcome: Extract<
    OpsHubDeployOutcome,
    'succeeded' | 'failed' | 'cancelled'
  > | null;
  /** The failing state, for a failed deploy. */
  errorCode: GithubFailureState | null;
  url: string | null;
}

type TerminalState = 'success' | 'failure' | 'error' | 'inactive';

/**
 * What each terminal state makes of the deploy, and which one counts first
 * when two share a `created_at` (GitHub stamps to the second), so the
 * result does not depend on the order statuses arrive in.
 */
const TERMINAL: Record<
  TerminalState,
  Pick<GithubDeployState, 'outcome' | 'errorCode'> & { rank: number }
> = {
  success: { outcome: 'succeeded', errorCode: null, rank: 0 },
  failure: { outcome: 'failed', errorCode: 'failure', rank: 1 },
  error: { outcome: 'failed', errorCode: 'error', rank: 2 },
  // A deployment set inactive before it succeeded never went live.
  inactive: { outcome: 'cancelled', errorCode: null, rank: 3 },
};

const isTerminal = (state: DeploymentStatusState): state is TerminalState =>
  Object.hasOwn(TERMINAL, state);

function terminalStateOf(deploy: GithubDeployState): TerminalState {
  if (deploy.outcome === 'succeeded') return 'success';
  if (deploy.outcome === 'cancelled') return 'inactive';
  return deploy.errorCode ?? 'error';
}

/**
 * The deploy after one more event of its deployment, whatever order the
 * events arrive in: queued at the deployment's `created_at`; started at the
 * earliest `in_progress`; finished at the earliest terminal status
 * (`success` → succeeded, `failure`/`error` → failed, `inactive` →
 * cancelled); statuses after the terminal one change nothing. `queued` and
 * `pending` only bring their URL. Each status counts at its own
 * `created_at`.
 */
export function applyDeploymentEvent(
  deploy: GithubDeployState | undefined,
  event: Pick<RecordDeploymentPayload, 'deployment' | 'status'>,
): GithubDeployState {
  const current: GithubDeployState = deploy ?? {
    queuedAt: new Date(event.deployment.createdAt),
    startedAt: null,
    finishedAt: null,
    outcome: null,
    errorCode: null,
    url: null,
  };
  const { status } = event;
  if (!status) return current;
  const at = new Date(status.createdAt);

  if (isTerminal(status.state)) {
    const { rank, ...ending } = TERMINAL[status.state];
    const finishedAt = current.finishedAt;
    if (
      finishedAt &&
      (at > finishedAt ||
        (at.getTime() === finishedAt.getTime() &&
          rank >= TERMINAL[terminalStateOf(current)].rank))
    ) {
      return current;
    }
    return {
      ...current,
      ...ending,
      finishedAt: at,
      // An in_progress after the (new) terminal status does not count.
      startedAt:
        current.startedAt && current.startedAt > at ? null : current.startedAt,
      url: status.url ?? current.url,
    };
  }
  if (current.finishedAt && at > current.finishedAt) return current;
  return {
    ...current,
    startedAt:
      status.state === 'in_progress' &&
      (!current.startedAt || at < current.startedAt)
        ? at
        : current.startedAt,
    // The terminal status's URL stays once known.
    url: current.outcome ? current.url : status.url ?? current.url,
  };
}

/** Whether two states are the same deploy record. */
export function sameDeployState(
  a: GithubDeployState,
  b: GithubDeployState,
): boolean {
  const time = (d: Date | null) => d?.getTime() ?? null;
  return (
    time(a.queuedAt) === time(b.queuedAt) &&
    time(a.startedAt) === time(b.startedAt) &&
    time(a.finishedAt) === time(b.finishedAt) &&
    a.outcome === b.outcome &&
    a.errorCode === b.errorCode &&
    a.url === b.url
  );
}
