import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { Knex } from 'knex';
import {
  type GithubClientFor,
  hasGithubCredentials,
} from '../../github/githubClients';
import type { JobQueue } from '../../queue/JobQueue';
import type { SucceededChanged } from '../githubDeployments/GithubDeploymentEvents';
import { DeployChangeSets } from './DeployChangeSets';
import {
  DEPLOY_CHANGES,
  type DeployChangesPayload,
  enqueueDeployChangesAround,
  enqueueMissingChangeSets,
} from './deployChangesJobs';
import { RECORD_MERGED_PR } from './mergedPullRequestJobs';
import { recordMergedPullRequestHandler } from './recordMergedPullRequest';

/** The scheduler task that enqueues missing change sets every hour. */
export const DEPLOY_CHANGES_TASK = 'opshub-deploy-changes';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether OpsHub can read commits from GitHub (lead time): some
 * `integrations.github` entry has a token or an app.
 */
export function githubCommitsReadable(config: Config): boolean {
  return hasGithubCredentials(config);
}

/**
 * The `record-merged-pr` job: merged pull requests are recorded whether
 * or not OpsHub can read their commits (without `clientFor` they are
 * `unavailable`).
 */
export function registerMergedPullRequestJobs(
  queue: Pick<JobQueue, 'register'>,
  deps: { knex: Knex; clientFor?: GithubClientFor; now?: () => Date },
): void {
  queue.register(RECORD_MERGED_PR, recordMergedPullRequestHandler(deps), {
    maxAttempts: 8,
  });
}

/**
 * The `deploy-changes` job (the commits each succeeded production deploy
 * brought) and its hourly catch-up for deploys of the last 400 days
 * without a change set (or with an unavailable one a day old), 500 a run.
 * Without GitHub credentials (`clientFor` undefined) nothing is
 * registered. Returns what `registerGithubDeploymentJobs` calls when a
 * deploy became succeeded.
 */
export async function setUpDeployChanges(deps: {
  knex: Knex;
  queue: Pick<JobQueue, 'register' | 'enqueue'>;
  scheduler: SchedulerService;
  clientFor: GithubClientFor | undefined;
  logger: LoggerService;
  maxCommits?: number;
  now?: () => Date;
}): Promise<{ succeededChanged: SucceededChanged } | undefined> {
  const { knex, queue, logger, clientFor } = deps;
  if (!clientFor) return undefined;
  const changeSets = new DeployChangeSets(knex, clientFor, deps);
  queue.register<DeployChangesPayload>(
    DEPLOY_CHANGES,
    async ({ job }) => {
      await changeSets.update(job.payload.deployEventId);
    },
    { maxAttempts: 8 },
  );
  await deps.scheduler.scheduleTask({
    id: DEPLOY_CHANGES_TASK,
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 3 },
    fn: async () => {
      const enqueued = await enqueueMissingChangeSets(knex, queue, {
        nowMs: (deps.now?.() ?? new Date()).getTime(),
        lookbackMs: 400 * DAY_MS,
        retryUnavailableMs: DAY_MS,
        limit: 500,
      });
      if (enqueued > 0) {
        logger.info(`Deploy changes: ${enqueued} change sets to compute`);
      }
    },
  });
  return { succeededChanged: enqueueDeployChangesAround(queue) };
}
