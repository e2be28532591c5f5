import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type PermissionCriteria,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  type PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  OPSHUB_INSTALLATION_REF,
  type OPSHUB_PROJECT_RESOURCE_TYPE,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import type { ProjectAccessQuery } from './permissionRules';
import type { ProjectAccess } from './projectAccess';

export type OpsHubPermission = ResourcePermission<
  typeof OPSHUB_PROJECT_RESOURCE_TYPE
>;
export type UserCredentials = BackstageCredentials<BackstageUserPrincipal>;

/** Which projects a list may show: all, none, or those matching criteria. */
export type ProjectFilter =
  | { all: true }
  | { none: true }
  | { criteria: PermissionCriteria<ProjectAccessQuery> };

/**
 * Every OpsHub route's check. The policy answers OpsHub permissions with
 * conditions (`HAS_ROLE_AT_LEAST`), which this class applies to the
 * project's access data itself (one load, no round trip back through the
 * permission backend), or turns into a filter for list routes.
 */
export class ProjectAuthorizer {
  private readonly conditionsAllow: (
    decision: Parameters<ReturnType<typeof createConditionAuthorizer>>[0],
    resource: ProjectAccess | undefined,
  ) => boolean;
  private readonly toCriteria: ReturnType<
    typeof createConditionTransformer<ProjectAccessQuery>
  >;

  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      ruleset: PermissionRuleset<ProjectAccess, ProjectAccessQuery>;
      loadAccess(refs: string[]): Promise<Array<ProjectAccess | undefined>>;
    },
  ) {
    this.conditionsAllow = createConditionAuthorizer(deps.ruleset);
    this.toCriteria = createConditionTransformer(deps.ruleset);
  }

  /** The signed-in user's credentials; 401 without a user token. */
  async user(req: Request): Promise<UserCredentials> {
    return this.deps.httpAuth.credentials(req, { allow: ['user'] });
  }

  /**
   * The user's credentials when they hold `permission` on the project
   * (`entityRef`; the installation by default); 403 otherwise, with nothing
   * of the project in the message.
   */
  async authorize(
    req: Request,
    permission: OpsHubPermission,
    entityRef: string = OPSHUB_INSTALLATION_REF,
  ): Promise<UserCredentials> {
    const credentials = await this.user(req);
    const { allowed } = await this.decide(credentials, [permission], entityRef);
    this.require(allowed[0], permission);
    return credentials;
  }

  /** 403 unless `allowed`, naming the permission and nothing else. */
  require(allowed: boolean, permission: OpsHubPermission): void {
    if (!allowed) throw new NotAllowedError(`Requires ${permission.name}`);
  }

  /**
   * One answer per permission, for one project, with the project's access
   * data when the decisions needed it (conditional ones).
   */
  async decide(
    credentials: BackstageCredentials,
    permissions: OpsHubPermission[],
    entityRef: string,
  ): Promise<{ allowed: boolean[]; access?: ProjectAccess }> {
    const decisions = await this.deps.permissions.authorizeConditional(
      permissions.map(permission => ({ permission })),
      { credentials },
    );
    const conditional = decisions.some(
      d => d.result === AuthorizeResult.CONDITIONAL,
    );
    const [access] = conditional
      ? await this.deps.loadAccess([entityRef])
      : [undefined];
    const allowed = decisions.map(decision =>
      decision.result === AuthorizeResult.CONDITIONAL
        ? this.conditionsAllow(decision, access)
        : decision.result === AuthorizeResult.ALLOW,
    );
    return { allowed, access };
  }

  /** Which projects the user may see under `permission`, for list routes. */
  async filter(
    credentials: BackstageCredentials,
    permission: OpsHubPermission,
  ): Promise<ProjectFilter> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      return decision.result === AuthorizeResult.ALLOW
        ? { all: true }
        : { none: true };
    }
    return { criteria: this.toCriteria(decision.conditions) };
  }
}
