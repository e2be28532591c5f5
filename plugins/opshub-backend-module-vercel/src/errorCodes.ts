import type { DeployErrorCodes } from '@opshub/plugin-opshub-node';

/** The Vercel provider's `id`, and its rows' provider in the taxonomy. */
export const VERCEL_PROVIDER_ID = 'vercel';

/**
 * What a failed Vercel deployment's code means, registered with OpsHub's
 * error taxonomy: the deployment's `errorCode` for an `ERROR` (`BUILD_FAILED`:
 * the build command failed), and the `readyState` itself for a deployment
 * Vercel `BLOCKED` (the project's or team's settings refused it) or that was
 * `CANCELED`. An `ERROR` with another code, or none, is reported as `build`.
 *
 * @public
 */
export const VERCEL_ERROR_CODES = {
  BUILD_FAILED: 'build',
  BLOCKED: 'configuration',
  CANCELED: 'cancelled',
} as const satisfies DeployErrorCodes;
