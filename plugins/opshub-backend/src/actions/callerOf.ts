import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import type { CallerCredentials } from '../rbac/ProjectAuthorizer';

/**
 * An action's credentials as OpsHub's caller: a user's or a service
 * principal's (the actions registry refuses anonymous calls before any
 * action runs; anything else is refused here).
 */
export function callerOf(credentials: BackstageCredentials): CallerCredentials {
  const { type } = credentials.principal as { type?: string };
  if (type !== 'user' && type !== 'service') {
    throw new AuthenticationError('Requires a user or a service');
  }
  return credentials as CallerCredentials;
}
