import type { PreviewDeploymentStatus } from '@opshub/plugin-opshub-node';
import type { NetlifyDeploy } from './netlifyApi';

/**
 * Deploy states on the way to `ready`: the documented path new → enqueued →
 * building → uploading → processing → ready, the intermediate states the
 * Netlify CLI waits through (uploaded, preparing, prepared, processed), a
 * deploy waiting for approval (pending_review, accepted) and one Netlify is
 * retrying.
 */
const IN_PROGRESS_STATES = new Set([
  'new',
  'pending_review',
  'accepted',
  'enqueued',
  'building',
  'uploading',
  'uploaded',
  'preparing',
  'prepared',
  'processing',
  'processed',
  'retrying',
]);

/** Whether Netlify is still working on the deploy (so it can be cancelled). */
export function isInProgress(state: string | undefined): boolean {
  return state !== undefined && IN_PROGRESS_STATES.has(state);
}

/**
 * What a deploy's `state` means for OpsHub. Only known states map to
 * `building`: an unknown one is reported as failed rather than followed
 * until the job's own timeout, so a new terminal state shows up at once.
 */
export function statusOfDeploy(deploy: NetlifyDeploy): PreviewDeploymentStatus {
  const { state } = deploy;
  if (isInProgress(state)) return { state: 'building' };
  if (state === 'ready') {
    const url = deploy.deploy_ssl_url || deploy.ssl_url || deploy.url;
    if (url) return { state: 'ready', url };
    return {
      state: 'failed',
      errorClass: 'unknown',
      errorCode: state,
      message: `Netlify reports deploy ${deploy.id} ready without a URL`,
    };
  }
  if (state === 'error') {
    return {
      state: 'failed',
      errorClass: 'build',
      errorCode: state,
      message: deploy.error_message || `Netlify deploy ${deploy.id} failed`,
    };
  }
  if (state === 'rejected') {
    return {
      state: 'failed',
      errorClass: 'cancelled',
      errorCode: state,
      message: `Netlify deploy ${deploy.id} was rejected in review`,
    };
  }
  return {
    state: 'failed',
    errorClass: 'unknown',
    errorCode: state,
    message: `Netlify deploy ${deploy.id} is in an unknown state '${state}'`,
  };
}
