import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { OpsHubActionDeps } from '../deps';

/**
 * Checks, before an action does anything, that the task's initiator holds
 * every one of `permissions` on the entity (OpsHub's project resources,
 * decided by the permission policy and OpsHub's own rules); throws
 * NotAllowedError naming the first one missing. Returns the initiator's
 * credentials, for calls made on their behalf.
 *
 * The initiator must be a user: Backstage's permission client allows every
 * permission to a service principal without asking the policy, so a task a
 * service started would pass any check here (OpsHub's own routes decide
 * for services from `opshub.rbac.servicePrincipals`; these actions act for
 * people).
 */
export async function authorizeInitiator(
  deps: Pick<OpsHubActionDeps, 'permissions'>,
  ctx: { getInitiatorCredentials(): Promise<BackstageCredentials> },
  entityRef: string,
  permissions: ResourcePermission[],
): Promise<BackstageCredentials> {
  const credentials = await ctx.getInitiatorCredentials();
  if ((credentials.principal as { type?: string }).type !== 'user') {
    throw new NotAllowedError(
      "OpsHub's scaffolder actions act for a signed-in user; this task's initiator is not one",
    );
  }
  const resourceRef = stringifyEntityRef(parseEntityRef(entityRef));
  const decisions = await deps.permissions.authorize(
    permissions.map(permission => ({ permission, resourceRef })),
    { credentials },
  );
  const denied = permissions.find(
    (_, i) => decisions[i].result !== AuthorizeResult.ALLOW,
  );
  if (denied) {
    throw new NotAllowedError(
      `The task's initiator may not ${denied.name} on ${resourceRef}`,
    );
  }
  return credentials;
}
