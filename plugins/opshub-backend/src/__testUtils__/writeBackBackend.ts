import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import { opshubPlugin } from '../plugin';

/**
 * The features of a backend with a fake GitHub at `githubUrl` behind
 * integrations.github (so GitHub write-back is on), the mock provider
 * building at once, preview checks every 50 ms, no health checks of
 * previews (their URLs lead nowhere), and the job worker running unless
 * `worker` is false. `opshub` is merged over that (a key replaces the
 * default's whole value); `extra` adds features (a provider module).
 */
export function writeBackBackendFeatures(options: {
  knex: Knex;
  entities: Entity[];
  githubUrl: string;
  webhookSecret: string;
  opshub?: Record<string, unknown>;
  worker?: boolean;
  extra?: BackendFeature[];
}): BackendFeature[] {
  return [
    opshubPlugin,
    mockServices.database.factory({ knex: options.knex }),
    catalogServiceMock.factory({ entities: options.entities }),
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.none(),
    }),
    mockServices.rootConfig.factory({
      data: {
        integrations: {
          github: [
            {
              host: 'github.com',
              apiBaseUrl: options.githubUrl,
              token: 'ghp_test',
            },
          ],
        },
        opshub: {
          github: {
            webhookSecret: options.webhookSecret,
            contentWritesPerMinute: 60_000,
          },
          providers: { mock: { delay: { milliseconds: 0 } } },
          queue: {
            concurrency: options.worker === false ? 0 : 4,
            pollInterval: { milliseconds: 50 },
          },
          previews: { checkInterval: { milliseconds: 50 } },
          health: { previews: { enabled: false } },
          ...options.opshub,
        },
      },
    }),
    ...(options.extra ?? []),
  ];
}
