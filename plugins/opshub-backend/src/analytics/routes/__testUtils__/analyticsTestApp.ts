import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import express from 'express';
import type { OpsHubDoraRatings } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import type { DoraOptions } from '../../dora/types';
import {
  insertDeployEvents,
  MINUTE,
  succeeded,
} from '../../metrics/__testUtils__/deployEvents';

/** The routes under test with Backstage's error answers (400, 403, ...). */
export function analyticsTestApp(router: express.Router): express.Express {
  const server = express();
  server.use(router);
  server.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return server;
}

/** `Authorization` header of a signed-in user. */
export const as = (userRef: string) => ({
  Authorization: mockCredentials.user.header(userRef),
});

/** A catalog Component owned by `owner`. */
export const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner },
});

/** One `daily_deploy_stats` row; `total` is the sum of the outcomes. */
export async function seedDailyStats(
  knex: Knex,
  row: {
    entityRef: string;
    day: string;
    environmentClass?: 'all' | 'production' | 'preview';
    succeeded?: number;
    failed?: number;
    cancelled?: number;
    superseded?: number;
  },
): Promise<void> {
  const counts = {
    succeeded: row.succeeded ?? 0,
    failed: row.failed ?? 0,
    cancelled: row.cancelled ?? 0,
    superseded: row.superseded ?? 0,
  };
  await knex('daily_deploy_stats').insert({
    entity_ref: row.entityRef,
    environment_class: row.environmentClass ?? 'all',
    day: row.day,
    total:
      counts.succeeded + counts.failed + counts.cancelled + counts.superseded,
    ...counts,
    error_classes: JSON.stringify(
      counts.failed ? { build: counts.failed } : {},
    ),
    computed_at: new Date(),
  });
}

/** DORA as the routes' tests load it: `down` incidents, commits readable. */
export const TEST_DORA_OPTIONS: DoraOptions = {
  incidentStates: ['down'],
  githubCommitsReadable: true,
};

/** The ratings of an entity without a successful production deploy. */
export const NO_DORA_RATINGS: OpsHubDoraRatings = {
  deploymentFrequency: null,
  leadTimeForChanges: null,
  changeFailureRate: null,
  recoveryTime: null,
};

/** Successful production deploys of `entityRef`, each queued at a time of `queuedAt` and done 3 minutes later. */
export async function productionDeploys(
  knex: Knex,
  entityRef: string,
  queuedAt: string[],
): Promise<void> {
  await insertDeployEvents(
    knex,
    queuedAt.map(at => succeeded(at, 2 * MINUTE, MINUTE, { entityRef })),
  );
}
