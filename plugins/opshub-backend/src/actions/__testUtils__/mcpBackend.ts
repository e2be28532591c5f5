import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import opshubPolicy from '@opshub/plugin-permission-backend-module-opshub-policy';
import type { Knex } from 'knex';
import { opshubPlugin } from '../../plugin';
import { ENTITIES } from '../../__testUtils__/rbacBackend';
import {
  TEST_USER_HEADER,
  TEST_USERS_PROVIDER,
  testUsersAuthModule,
} from './testUsersAuthModule';

/**
 * The static tokens of `backend.auth.externalAccess`, each restricted to
 * mcp-actions and, as reaching OpsHub's actions through it takes, opshub;
 * the last two get that wrong.
 */
export const STATIC_TOKENS = {
  /** Subject `mcp-client`: mcp-actions and opshub. */
  mcpAndOpsHub: 'static-token-for-mcp-and-opshub-0123456789abcdef',
  /** Subject `another-mcp-client`: mcp-actions and opshub. */
  anotherClient: 'static-token-of-another-mcp-client-0123456789abcdef',
  /** Subject `mcp-client-without-opshub`: mcp-actions only. */
  mcpOnly: 'static-token-for-mcp-actions-only-0123456789abcdef',
  /** Subject `mcp-client-narrowed`: opshub only for opshub.preview.read. */
  narrowedOpsHub: 'static-token-with-narrowed-opshub-0123456789abcdef',
};

const staticToken = (
  token: string,
  subject: string,
  opshubRestriction: Record<string, unknown> | undefined,
) => ({
  type: 'static',
  options: { token, subject },
  accessRestrictions: [
    { plugin: 'mcp-actions' },
    ...(opshubRestriction ? [{ plugin: 'opshub', ...opshubRestriction }] : []),
  ],
});

/**
 * One in-memory SQLite database per plugin, from the test's `databases`;
 * OpsHub's is the given one.
 */
function databasesPerPlugin(databases: TestDatabases, opshub: Knex) {
  const clients = new Map<string, Promise<Knex>>([
    ['opshub', Promise.resolve(opshub)],
  ]);
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => ({
      getClient() {
        const id = plugin.getId();
        if (!clients.has(id)) clients.set(id, databases.init('SQLITE_3'));
        return clients.get(id)!;
      },
    }),
  });
}

/**
 * Starts a backend the way an adopter runs OpsHub for AI assistants, with
 * Backstage's real auth throughout: the auth backend issuing user tokens
 * (through the test-users provider), the default auth and http auth
 * services (plugin tokens, on-behalf-of tokens, static external-access
 * tokens), the permission backend with OpsHub's policy, the actions
 * registry and service, and mcp-actions serving OpsHub's actions at
 * `/api/mcp-actions/v1`. OpsHub runs no job worker: a queued job stays
 * in its table to be seen.
 */
export async function startMcpBackend(options: {
  /** The test's databases (created at its top level), for the other plugins'. */
  databases: TestDatabases;
  /** OpsHub's database, migrated and seeded. */
  knex: Knex;
  /** Added to the `opshub` config (e.g. `rbac.servicePrincipals`). */
  opshub?: Record<string, unknown>;
}) {
  const backend = await startTestBackend({
    features: [
      opshubPlugin,
      mcpActionsPlugin,
      authPlugin,
      testUsersAuthModule,
      permissionBackend,
      opshubPolicy,
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      permissionsServiceFactory,
      actionsRegistryServiceFactory,
      actionsServiceFactory,
      databasesPerPlugin(options.databases, options.knex),
      catalogServiceMock.factory({ entities: ENTITIES }),
      mockServices.scheduler.factory({
        includeInitialDelayedTasksOnStartup: true,
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: {
            auth: {
              externalAccess: [
                staticToken(STATIC_TOKENS.mcpAndOpsHub, 'mcp-client', {}),
                staticToken(
                  STATIC_TOKENS.anotherClient,
                  'another-mcp-client',
                  {},
                ),
                staticToken(
                  STATIC_TOKENS.mcpOnly,
                  'mcp-client-without-opshub',
                  undefined,
                ),
                staticToken(
                  STATIC_TOKENS.narrowedOpsHub,
                  'mcp-client-narrowed',
                  {
                    permission: 'opshub.preview.read',
                  },
                ),
              ],
            },
            actions: { pluginSources: ['opshub'] },
          },
          auth: { providers: { [TEST_USERS_PROVIDER]: {} } },
          permission: { enabled: true },
          opshub: {
            github: { webhookSecret: 'webhook-secret' },
            queue: { concurrency: 0 },
            // Seeded previews' URLs name hosts that exist nowhere: no check
            // may probe them (a probe would ask DNS about them).
            health: { previews: { enabled: false } },
            ...options.opshub,
          },
        },
      }),
    ],
  });
  const baseUrl = `http://localhost:${backend.server.port()}`;
  return {
    backend,
    /** Where OpsHub's routes are. */
    opshubUrl: `${baseUrl}/api/opshub`,
    /** Where MCP clients connect. */
    mcpUrl: new URL(`${baseUrl}/api/mcp-actions/v1`),
    /** A Backstage user token for `user:default/<name>`, from the auth backend. */
    async userToken(name: string): Promise<string> {
      const res = await fetch(
        `${baseUrl}/api/auth/${TEST_USERS_PROVIDER}/refresh`,
        { headers: { [TEST_USER_HEADER]: name } },
      );
      if (!res.ok) {
        throw new Error(`Sign-in of ${name} failed: ${res.status}`);
      }
      const body = await res.json();
      return body.backstageIdentity.token;
    },
  };
}
