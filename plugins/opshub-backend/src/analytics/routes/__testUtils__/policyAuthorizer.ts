import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { PolicyDecision } from '@backstage/plugin-permission-common';
import type { PermissionRuleset } from '@backstage/plugin-permission-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { OpsHubRole } from '@opshub/plugin-opshub-common';
import { OpsHubPermissionPolicy } from '@opshub/plugin-permission-backend-module-opshub-policy';
import type { Knex } from 'knex';
import type { AccessFilterOptions } from '../../../rbac/accessFilter';
import { DatabaseRoleAssignmentStore } from '../../../rbac/DatabaseRoleAssignmentStore';
import { createHasRoleAtLeastRule } from '../../../rbac/permissionRules';
import { loadProjectAccess } from '../../../rbac/projectAccess';
import { ProjectAuthorizer } from '../../../rbac/ProjectAuthorizer';

/**
 * OpsHub's authorizer as the plugin builds it, in process: OpsHub's own
 * permission policy decides (conditionally, with each user's ownership refs
 * from `groups`), and the `HAS_ROLE_AT_LEAST` rule reads the role
 * assignments of `knex` and the owners in `entities`. Only the permission
 * backend's HTTP round trip is left out.
 */
export function policyAuthorizer(options: {
  knex: Knex;
  entities: Entity[];
  /** Each user's groups. */
  groups?: Record<string, string[]>;
  /** `opshub.rbac.orgOwners`, lower case. */
  orgOwners?: string[];
  implicitOwnerRole?: OpsHubRole;
}): { authorizer: ProjectAuthorizer; access: AccessFilterOptions } {
  const access: AccessFilterOptions = {
    orgOwners: options.orgOwners ?? [],
    implicitOwnerRole: options.implicitOwnerRole,
  };
  const policy = new OpsHubPermissionPolicy('deny');
  const rule = createHasRoleAtLeastRule(access.implicitOwnerRole);
  const userOf = (credentials: BackstageCredentials) => {
    const { userEntityRef } = credentials.principal as BackstageUserPrincipal;
    return {
      userEntityRef,
      ownershipEntityRefs: [
        userEntityRef,
        ...(options.groups?.[userEntityRef] ?? []),
      ],
    };
  };
  const permissions = {
    async authorizeConditional(requests, { credentials }) {
      return Promise.all(
        requests.map(
          ({ permission }) =>
            policy.handle(
              { permission },
              { credentials, info: userOf(credentials) },
            ) as Promise<PolicyDecision>,
        ),
      );
    },
  } as Pick<PermissionsService, 'authorizeConditional'> as PermissionsService;
  const authorizer = new ProjectAuthorizer({
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    }),
    permissions,
    ruleset: { getRuleByName: () => rule } as unknown as PermissionRuleset<
      any,
      any
    >,
    loadAccess: refs =>
      loadProjectAccess(
        {
          assignments: new DatabaseRoleAssignmentStore(options.knex),
          catalog: catalogServiceMock({ entities: options.entities }),
          auth: mockServices.auth(),
          orgOwners: access.orgOwners,
        },
        refs,
      ),
  });
  return { authorizer, access };
}
