import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
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
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import type { ProjectAccessQuery } from './permissionRules';
import type { ProjectAccess } from './projectAccess';
import { serviceMay, type ServicePrincipalRole } from './servicePrincipals';

export type OpsHubPermission = ResourcePermission<
  typeof OPSHUB_PROJECT_RESOURCE_TYPE
>;
/** Who may call OpsHub: a signed-in user or a service principal. */
export type CallerCredentials = BackstageCredentials<
  BackstageUserPrincipal | BackstageServicePrincipal
>;

/** Which projects a list may show: all, none, or those matching criteria. */
export type ProjectFilter =
  | { all: true }
  | { none: true }
  | { criteria: PermissionCriteria<ProjectAccessQuery> };

/**
 * Who a caller is in OpsHub's records (`actorRef`, `createdBy`, the rate
 * limit): a user's entity ref, or a service principal's subject
 * (`plugin:mcp-actions`, or a static token's configured subject).
 */
export function actorRefOf(credentials: CallerCredentials): string {
  const { principal } = credentials;
  return principal.type === 'user'
    ? principal.userEntityRef
    : principal.subject;
}

function isService(
  credentials: BackstageCredentials,
): credentials is BackstageCredentials<BackstageServicePrincipal> {
  return (credentials.principal as { type?: string }).type === 'service';
}

/**
 * Credentials as OpsHub's caller: a user's or a service principal's;
 * `AuthenticationError` for anything else (e.g. an action called with none).
 */
export function callerOf(credentials: BackstageCredentials): CallerCredentials {
  const { type } = credentials.principal as { type?: string };
  if (type !== 'user' && type !== 'service') {
    throw new AuthenticationError('Requires a user or a service');
  }
  return credentials as CallerCredentials;
}

/**
 * Every OpsHub route's and action's check. For users, the policy answers
 * OpsHub permissions with conditions (`HAS_ROLE_AT_LEAST`), which this class
 * applies to the project's access data itself (one load, no round trip back
 * through the permission backend), or turns into a filter for list routes.
 * Service principals never reach the policy: Backstage's permission client
 * allows them every permission without asking it, so OpsHub decides for
 * them from `opshub.rbac.servicePrincipals` alone, and refuses everything
 * to a service without a role there.
 */
export class ProjectAuthorizer {
  private readonly conditionsAllow: (
    decision: Parameters<ReturnType<typeof createConditionAuthorizer>>[0],
    resource: ProjectAccess | undefined,
  ) => boolean;
  private readonly toCriteria: ReturnType<
    typeof createConditionTransformer<ProjectAccessQuery>
  >;
  private readonly serviceRoles: ReadonlyMap<string, OpsHubRole>;

  constructor(
    private readonly deps: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      ruleset: PermissionRuleset<ProjectAccess, ProjectAccessQuery>;
      loadAccess(refs: string[]): Promise<Array<ProjectAccess | undefined>>;
      /** `opshub.rbac.servicePrincipals`; none by default. */
      servicePrincipals?: ServicePrincipalRole[];
    },
  ) {
    this.conditionsAllow = createConditionAuthorizer(deps.ruleset);
    this.toCriteria = createConditionTransformer(deps.ruleset);
    this.serviceRoles = new Map(
      (deps.servicePrincipals ?? []).map(({ subject, role }) => [
        subject,
        role,
      ]),
    );
  }

  /** The caller's credentials, a user's or a service's; 401 otherwise. */
  async caller(req: Request): Promise<CallerCredentials> {
    return this.deps.httpAuth.credentials(req, { allow: ['user', 'service'] });
  }

  /**
   * The caller's credentials when they hold `permission` on the project
   * (`entityRef`; the installation by default); 403 otherwise, with nothing
   * of the project in the message.
   */
  async authorize(
    req: Request,
    permission: OpsHubPermission,
    entityRef: string = OPSHUB_INSTALLATION_REF,
  ): Promise<CallerCredentials> {
    return this.authorizeCredentials(
      await this.caller(req),
      permission,
      entityRef,
    );
  }

  /**
   * {@link ProjectAuthorizer.authorize} for credentials already in hand (an
   * action's): the same credentials back when they hold `permission` on
   * `entityRef`, `NotAllowedError` otherwise; `AuthenticationError` for
   * credentials of neither a user nor a service.
   */
  async authorizeCredentials(
    credentials: BackstageCredentials,
    permission: OpsHubPermission,
    entityRef: string = OPSHUB_INSTALLATION_REF,
  ): Promise<CallerCredentials> {
    const caller = callerOf(credentials);
    const { allowed } = await this.decide(caller, [permission], entityRef);
    this.require(allowed[0], permission);
    return caller;
  }

  /** 403 unless `allowed`, naming the permission and nothing else. */
  require(allowed: boolean, permission: OpsHubPermission): void {
    if (!allowed) throw new NotAllowedError(`Requires ${permission.name}`);
  }

  /** A service principal's configured role; undefined for users and others. */
  serviceRole(credentials: BackstageCredentials): OpsHubRole | undefined {
    return isService(credentials)
      ? this.serviceRoles.get(credentials.principal.subject)
      : undefined;
  }

  /**
   * One answer per permission, for one project, with the project's access
   * data when the decisions needed it (conditional ones, and a service's
   * allowed ones: a role holds only on projects the catalog knows, as a
   * user's org-level role does).
   */
  async decide(
    credentials: BackstageCredentials,
    permissions: OpsHubPermission[],
    entityRef: string,
  ): Promise<{ allowed: boolean[]; access?: ProjectAccess }> {
    if (isService(credentials)) {
      return this.decideForService(credentials, permissions, entityRef);
    }
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

  /** Which projects the caller may see under `permission`, for list routes. */
  async filter(
    credentials: BackstageCredentials,
    permission: OpsHubPermission,
  ): Promise<ProjectFilter> {
    if (isService(credentials)) {
      return serviceMay(this.serviceRoles, credentials.principal, permission)
        ? { all: true }
        : { none: true };
    }
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

  private async decideForService(
    credentials: BackstageCredentials<BackstageServicePrincipal>,
    permissions: OpsHubPermission[],
    entityRef: string,
  ): Promise<{ allowed: boolean[]; access?: ProjectAccess }> {
    const byRole = permissions.map(permission =>
      serviceMay(this.serviceRoles, credentials.principal, permission),
    );
    if (!byRole.some(Boolean)) return { allowed: byRole };
    const [access] = await this.deps.loadAccess([entityRef]);
    return { allowed: byRole.map(may => may && access !== undefined), access };
  }
}
