import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
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
export async function startOpsHubBackend(options: {
  knex: Knex;
  entities?: Entity[];
  config?: Record<string, unknown>;
}) {
  const { server } = await startTestBackend({
    features: [
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
    ],
  });
  return server;
}

export const asUser = {
  Authorization: mockCredentials.user.header('user:default/alice'),
};
