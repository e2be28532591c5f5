import type { DeployErrorCodes } from '@opshub/plugin-opshub-node';

/** The Netlify provider's `id`, and its rows' provider in the taxonomy. */
export const NETLIFY_PROVIDER_ID = 'netlify';

/**
 * What a failed Netlify deploy's code means, registered with OpsHub's error
 * taxonomy. The code is the deploy's `state`: `error` (the build or its
 * processing failed, with Netlify's `error_message`), `rejected` (refused in
 * deploy review); and `not_found` for a deploy deleted outside OpsHub while
 * it was followed. Any other state that is neither on the way to `ready`
 * nor `ready` itself is reported as `unknown`, with the state as its code.
 *
 * @public
 */
export const NETLIFY_ERROR_CODES = {
  error: 'build',
  rejected: 'cancelled',
  not_found: 'cancelled',
} as const satisfies DeployErrorCodes;
