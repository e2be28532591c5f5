import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { z } from 'zod/v3';
import { normalizedEntityRef } from '../http/entityRef';
import {
  callerOf,
  type CallerCredentials,
  type OpsHubPermission,
  type ProjectAuthorizer,
} from '../rbac/ProjectAuthorizer';

/** The `entityRef` input of the actions about one catalog entity. */
export const entityRefInput = (zod: typeof z) =>
  zod
    .string()
    .min(3)
    .max(600)
    .transform((ref, ctx) => {
      const normalized = normalizedEntityRef(ref);
      if (normalized === undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be an entity ref as kind:namespace/name, e.g. component:default/web',
        });
        return zod.NEVER;
      }
      return normalized;
    })
    .describe(
      'The catalog entity (the OpsHub project), as an entity ref "kind:namespace/name", e.g. "component:default/web"; the namespace may be left out for "default" ("component:web").',
    );

/**
 * NotFound for an entity the catalog does not show the caller (unknown, or
 * hidden from them by the catalog's own permissions), checked before
 * OpsHub's permission, so OpsHub tells nothing the catalog would not.
 */
export async function assertEntityVisible(
  catalog: CatalogService,
  caller: CallerCredentials,
  entityRef: string,
): Promise<void> {
  const entity = await catalog.getEntityByRef(entityRef, {
    credentials: caller,
  });
  if (!entity) {
    throw new NotFoundError(`No entity ${entityRef} in the catalog`);
  }
}

/**
 * The caller, allowed `permission` on the entity `entityRef`: the same check
 * as the entity's routes, after {@link assertEntityVisible}; NotAllowed
 * without the permission.
 */
export async function authorizeOnEntity(
  deps: { authorizer: ProjectAuthorizer; catalog: CatalogService },
  credentials: BackstageCredentials,
  permission: OpsHubPermission,
  entityRef: string,
): Promise<CallerCredentials> {
  const caller = callerOf(credentials);
  await assertEntityVisible(deps.catalog, caller, entityRef);
  return deps.authorizer.authorizeCredentials(caller, permission, entityRef);
}
