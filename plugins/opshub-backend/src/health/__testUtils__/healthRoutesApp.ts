import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import express from 'express';
import type { Knex } from 'knex';
import { createAudited } from '../../activity/audited';
import { DatabaseActivityLog } from '../../activity/DatabaseActivityLog';
import type { ProjectAuthorizer } from '../../rbac/ProjectAuthorizer';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import { DatabaseMaintenanceWindows } from '../maintenance/DatabaseMaintenanceWindows';
import { NetworkPolicy } from '../probe/networkPolicy';
import { HealthRollupReads } from '../rollups/HealthRollupReads';
import { healthRoutes } from '../routes';

/** The two entities the test app knows. */
export const ENTITY = 'component:default/storefront';
export const OTHER = 'component:default/billing';
export const BASE = '/entities/component/default/storefront/health';

/** Users and what they hold on both entities. */
const USERS: Record<string, string[]> = {
  'user:default/maintainer': ['opshub.health.read', 'opshub.health.manage'],
  'user:default/viewer': ['opshub.health.read'],
};
export const as = (user: string) => ({
  Authorization: mockCredentials.user.header(user),
});
export const maintainer = as('user:default/maintainer');
export const viewer = as('user:default/viewer');

/**
 * The health routes on a migrated `knex`, as the plugin mounts them, with
 * Backstage's error middleware: `maintainer` may read and manage ENTITY's and
 * OTHER's checks, `viewer` read them; every other caller or entity is
 * refused. Audit events and `changed` calls are recorded.
 */
export function healthRoutesApp(knex: Knex, options: { now: () => number }) {
  const httpAuth = mockServices.httpAuth({
    defaultCredentials: mockCredentials.none(),
  });
  const authorizer = {
    async authorize(
      req: express.Request,
      permission: { name: string },
      ref: string,
    ) {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user'],
      });
      const user = credentials.principal.userEntityRef;
      if (
        ![ENTITY, OTHER].includes(ref) ||
        !USERS[user]?.includes(permission.name)
      ) {
        throw new NotAllowedError(`Requires ${permission.name}`);
      }
      return credentials;
    },
  } as unknown as ProjectAuthorizer;
  const events: Array<{ eventId: string; meta: unknown }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async o => {
      events.push({ eventId: o.eventId, meta: o.meta });
      return { success: async () => {}, fail: async () => {} };
    }),
  });
  const activity = new DatabaseActivityLog(knex);
  const store = new DatabaseHealthStore(knex);
  const changed = jest.fn();
  const server = express();
  server.use(
    healthRoutes({
      authorizer,
      audited: createAudited({ auditor, activity }),
      store,
      maintenance: new DatabaseMaintenanceWindows(knex, { now: options.now }),
      rollups: new HealthRollupReads(knex),
      policy: new NetworkPolicy({
        allowPrivateNetworks: false,
        allowedNetworks: [],
      }),
      config: { minIntervalMs: 10_000 },
      changed,
      now: options.now,
    }),
  );
  server.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  const activityOf = async (entityRef = ENTITY) =>
    (await activity.list(entityRef, { limit: 100 })).map(a => [
      a.action,
      a.details,
    ]);
  return { server, store, changed, events, activityOf };
}
