import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  type BackstageServicePrincipal,
  type BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import permissionBackend from '@backstage/plugin-permission-backend';
import opshubPolicy from '@opshub/plugin-permission-backend-module-opshub-policy';
import {
  OPSHUB_INSTALLATION_REF,
  OPSHUB_ROLES,
} from '@opshub/plugin-opshub-common';
import { opshubPlugin } from '../plugin';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';

/**
 * The catalog of the authorization tests: storefront, owned by group web;
 * billing, owned by group billing.
 */
export const STOREFRONT = 'component:default/storefront';
export const BILLING = 'component:default/billing';

/**
 * A Component of repository `slug` owned by `owner`, registered from a
 * catalog-info.yaml inside that repository (its claim on it is verified)
 * unless `annotations` say otherwise.
 */
export const component = (
  name: string,
  owner: string,
  slug: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'github.com/project-slug': slug,
      'backstage.io/managed-by-location': `url:https://github.com/${slug}/blob/main/catalog-info.yaml`,
      ...annotations,
    },
  },
  spec: { type: 'website', lifecycle: 'production', owner },
});

export const ENTITIES = [
  component('storefront', 'group:default/web', 'acme/storefront'),
  component('billing', 'group:default/billing', 'acme/billing'),
];

/**
 * The mock http auth service, except that a plugin's on-behalf-of request
 * authenticates as the user with that plugin as the actor, as real Backstage
 * tokens do (the mock drops the actor). The permission backend refuses
 * conditional decisions to direct user requests and allows them to plugins
 * acting for a user, which is what OpsHub's routes are.
 */
const httpAuthWithOboActor = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory: ({ plugin }) => {
    const inner = mockServices.httpAuth({
      pluginId: plugin.getId(),
      defaultCredentials: mockCredentials.none(),
    });
    return {
      async credentials(req, options) {
        const credentials = await inner.credentials(req, options);
        const principal = credentials.principal as BackstagePrincipal;
        const onBehalfOf = /^Bearer mock-service-token:/.test(
          req.headers.authorization ?? '',
        );
        if (onBehalfOf && principal.type === 'user') {
          return mockCredentials.user(principal.userEntityRef, {
            actor: { subject: 'plugin:opshub' },
          }) as typeof credentials;
        }
        return credentials;
      },
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});

type BackstagePrincipal =
  | BackstageUserPrincipal
  | BackstageServicePrincipal
  | { type: 'none' };

/** `Authorization` header of a signed-in user. */
export const as = (userRef: string) => ({
  Authorization: mockCredentials.user.header(userRef),
});

/**
 * `Authorization` header of a service principal calling OpsHub with its own
 * token, which Backstage reports as `subject` (e.g. `external:ci` for a
 * static external-access token, `plugin:mcp-actions` for that plugin).
 */
export const asService = (subject: string) => ({
  Authorization: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'opshub',
  }),
});

/**
 * Starts OpsHub the way an adopter runs it: the real permission backend
 * with OpsHub's policy module, the real permissions service (decisions go
 * over HTTP to the permission backend), and a user info service that gives
 * each user the groups in `groups` as ownership refs.
 */
export async function startRbacBackend(options: RbacBackendOptions) {
  const { server } = await startTestBackend({
    features: rbacBackendFeatures(options),
  });
  return server;
}

export interface RbacBackendOptions {
  knex: Knex;
  groups?: Record<string, string[]>;
  opshub?: Record<string, unknown>;
  extra?: ServiceFactory[];
}

/**
 * The features of `startRbacBackend`, for a caller that starts (and stops)
 * the test backend itself, e.g. a benchmark outside jest.
 */
export function rbacBackendFeatures(options: RbacBackendOptions) {
  const groups = options.groups ?? {};
  const userInfo = createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const userEntityRef = (
          credentials.principal as { userEntityRef: string }
        ).userEntityRef;
        return {
          userEntityRef,
          ownershipEntityRefs: [
            userEntityRef,
            ...(groups[userEntityRef] ?? []),
          ],
        };
      },
    }),
  });
  // A none principal on requests without a token, as in production.
  return [
    opshubPlugin,
    permissionBackend,
    opshubPolicy,
    permissionsServiceFactory,
    userInfo,
    mockServices.database.factory({ knex: options.knex }),
    catalogServiceMock.factory({ entities: ENTITIES }),
    mockServices.scheduler.factory({
      includeInitialDelayedTasksOnStartup: true,
    }),
    httpAuthWithOboActor,
    mockServices.rootConfig.factory({
      data: {
        permission: { enabled: true },
        opshub: {
          github: { webhookSecret: 'secret' },
          ...options.opshub,
        },
      },
    }),
    ...(options.extra ?? []),
  ];
}

/**
 * The role ladder of the authorization tests: for each role,
 * `user:default/org-<role>` holds it on the installation,
 * `user:default/project-<role>` and `group:default/team-<role>` on the
 * storefront.
 */
export async function assignEachRole(knex: Knex): Promise<void> {
  const assignments = new DatabaseRoleAssignmentStore(knex);
  for (const role of OPSHUB_ROLES) {
    for (const [entityRef, subjectRef] of [
      [OPSHUB_INSTALLATION_REF, `user:default/org-${role}`],
      [STOREFRONT, `user:default/project-${role}`],
      [STOREFRONT, `group:default/team-${role}`],
    ]) {
      await assignments.add({ entityRef, subjectRef, role, createdBy: 'test' });
    }
  }
}
