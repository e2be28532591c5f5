import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  minimumRoleFor,
  OPSHUB_PROJECT_RESOURCE_TYPE,
} from '@opshub/plugin-opshub-common';

/**
 * Answers every OpsHub permission with a conditional decision, "the user
 * holds at least role R on the project", which `opshub-backend` evaluates
 * against its own data (the `HAS_ROLE_AT_LEAST` rule); the user's ownership
 * refs travel in the condition's parameters. Other permissions get the
 * configured fallback.
 */
export class OpsHubPermissionPolicy implements PermissionPolicy {
  constructor(private readonly otherPermissions: 'allow' | 'deny') {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const minimum = minimumRoleFor(permission.name);
    if (
      minimum &&
      isResourcePermission(permission, OPSHUB_PROJECT_RESOURCE_TYPE)
    ) {
      if (!user) return { result: AuthorizeResult.DENY };
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'opshub',
        resourceType: OPSHUB_PROJECT_RESOURCE_TYPE,
        conditions: {
          rule: 'HAS_ROLE_AT_LEAST',
          resourceType: OPSHUB_PROJECT_RESOURCE_TYPE,
          params: {
            role: minimum,
            ownershipRefs: user.info.ownershipEntityRefs,
          },
        },
      };
    }
    return {
      result:
        this.otherPermissions === 'deny'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    };
  }
}
