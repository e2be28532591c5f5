import {
  deployErrorClassOf,
  type PreviewDeploymentStatus,
} from '@opshub/plugin-opshub-node';
import { NETLIFY_ERROR_CODES } from './errorCodes';
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
 * A failed deploy's code is its state, its class the error code table's
 * ({@link NETLIFY_ERROR_CODES}), else `unknown`.
 */
export function statusOfDeploy(deploy: NetlifyDeploy): PreviewDeploymentStatus {
  const { state } = deploy;
  if (isInProgress(state)) return { state: 'building' };
  const url =
    state === 'ready'
      ? deploy.deploy_ssl_url || deploy.ssl_url || deploy.url
      : undefined;
  if (url) return { state: 'ready', url };
  return failed(state, messageOf(deploy));
}

/** A deploy Netlify no longer has (deleted outside OpsHub). */
export function statusOfMissingDeploy(
  deployId: string,
): PreviewDeploymentStatus {
  return failed('not_found', `Netlify deploy ${deployId} no longer exists`);
}

function failed(
  code: string | undefined,
  message: string,
): PreviewDeploymentStatus {
  return {
    state: 'failed',
    errorClass: deployErrorClassOf(NETLIFY_ERROR_CODES, code, 'unknown'),
    errorCode: code,
    message,
  };
}

function messageOf(deploy: NetlifyDeploy): string {
  switch (deploy.state) {
    case 'ready':
      return `Netlify reports deploy ${deploy.id} ready without a URL`;
    case 'error':
      return deploy.error_message || `Netlify deploy ${deploy.id} failed`;
    case 'rejected':
      return `Netlify deploy ${deploy.id} was rejected in review`;
    default:
      return `Netlify deploy ${deploy.id} is in an unknown state '${deploy.state}'`;
  }
}
