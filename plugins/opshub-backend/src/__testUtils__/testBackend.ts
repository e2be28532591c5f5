import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import { opshubPlugin } from '../plugin';

export const WEBHOOK_SECRET = "It's a Secret to Everybody";
export const OLD_WEBHOOK_SECRET = 'the secret before rotation';

/**
 * Starts the real backend plugin on the given test database, with a
 * webhook secret (and one retired secret still accepted), a small body cap
 * and no job worker.
 */
export async function startOpsHubBackend(options: OpsHubBackendOptions) {
  const { server } = await startTestBackend({
    features: opsHubBackendFeatures(options),
  });
  return server;
}

export interface OpsHubBackendOptions {
  knex: Knex;
  entities?: Entity[];
  config?: Record<string, unknown>;
  /** More features, e.g. a scheduler the caller triggers. */
  extra?: BackendFeature[];
}

/**
 * The features of `startOpsHubBackend`, for a caller that starts (and
 * stops) the test backend itself, e.g. a benchmark outside jest.
 */
export function opsHubBackendFeatures(options: OpsHubBackendOptions) {
  return [
    opshubPlugin,
    mockServices.database.factory({ knex: options.knex }),
    catalogServiceMock.factory({ entities: options.entities ?? [] }),
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.none(),
    }),
    mockServices.rootConfig.factory({
      data: {
        opshub: {
          github: {
            webhookSecret: WEBHOOK_SECRET,
            additionalWebhookSecrets: [OLD_WEBHOOK_SECRET],
            maxPayloadBytes: 64 * 1024,
          },
          // Route tests look at the jobs a request queued: no worker here
          // takes them first (the handlers have tests of their own).
          queue: { concurrency: 0 },
          ...options.config,
        },
      },
    }),
    ...(options.extra ?? []),
  ];
}

export const asUser = {
  Authorization: mockCredentials.user.header('user:default/alice'),
};
