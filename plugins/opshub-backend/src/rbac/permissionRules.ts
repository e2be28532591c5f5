import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  OPSHUB_PROJECT_RESOURCE_TYPE,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import { z } from 'zod';
import { effectiveRole } from './effectiveRole';
import type { ProjectAccess } from './projectAccess';

/** How list routes filter projects by the same rule. */
export interface ProjectAccessQuery {
  minimumRole: OpsHubRole;
  ownershipRefs: string[];
}

export const opshubProjectResourceRef = createPermissionResourceRef<
  ProjectAccess,
  ProjectAccessQuery
>().with({
  pluginId: 'opshub',
  resourceType: OPSHUB_PROJECT_RESOURCE_TYPE,
});

/**
 * `HAS_ROLE_AT_LEAST`: the user (their ownership refs travel in the
 * parameters, put there by the policy) holds at least `role` on the project.
 */
export function createHasRoleAtLeastRule(implicitOwnerRole?: OpsHubRole) {
  return createPermissionRule({
    name: 'HAS_ROLE_AT_LEAST',
    description: 'The user holds at least this OpsHub role on the project',
    resourceRef: opshubProjectResourceRef,
    paramsSchema: z.object({
      role: z.enum(OPSHUB_ROLES).describe('The lowest role that is enough'),
      ownershipRefs: z
        .array(z.string())
        .describe("The user's own ref and their groups' refs"),
    }),
    apply: (project, { role, ownershipRefs }) =>
      roleAtLeast(
        effectiveRole({ ...project, ownershipRefs, implicitOwnerRole }),
        role,
      ),
    toQuery: ({ role, ownershipRefs }) => ({
      minimumRole: role,
      ownershipRefs,
    }),
  });
}
