import type { Knex } from 'knex';
import type { JobQueue } from '../../queue/JobQueue';
import type { JobHandler } from '../../queue/types';
import {
  RECORD_DEPLOYMENT,
  type RecordDeploymentPayload,
} from './deploymentDeliveries';
import {
  GithubDeploymentEvents,
  type SucceededChanged,
} from './GithubDeploymentEvents';
import type { DeployErrorClassifier } from '../taxonomy/deployErrorTaxonomy';

/** Records the deployment event a job carries (idempotent). */
export function recordDeploymentHandler(
  events: GithubDeploymentEvents,
  recorded: () => Promise<unknown> = async () => {},
): JobHandler<RecordDeploymentPayload> {
  return async ({ job }) => {
    await events.record(job.payload);
    await recorded();
  };
}

/**
 * The `record-deployment` job on the queue: GitHub deployments to
 * production environments become deploy events.
 */
export function registerGithubDeploymentJobs(
  queue: JobQueue,
  deps: {
    knex: Knex;
    /** The plugin's error taxonomy; its built-in rows otherwise. */
    errorClassifier?: DeployErrorClassifier;
    now?: () => Date;
    /** After each recorded event (the daily stats catch up). */
    recorded?: () => Promise<unknown>;
    /**
     * When a deploy became succeeded, stopped being so or moved, in the
     * write's transaction (the change sets of deploys are computed again).
     */
    succeededChanged?: SucceededChanged;
  },
): void {
  queue.register(
    RECORD_DEPLOYMENT,
    recordDeploymentHandler(
      new GithubDeploymentEvents(deps.knex, deps),
      deps.recorded,
    ),
  );
}
