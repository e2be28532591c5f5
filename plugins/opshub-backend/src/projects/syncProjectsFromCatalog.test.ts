import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseProjectStore } from './DatabaseProjectStore';
import { RepositoryLookup } from './RepositoryLookup';
import {
  runProjectSync,
  syncProjectsFromCatalog,
} from './syncProjectsFromCatalog';

jest.setTimeout(60_000);

function entity(
  kind: string,
  name: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: {},
  };
}

const databases = createTestDatabases();
const LOCATION =
  'url:https://github.com/acme/storefront/blob/main/catalog-info.yaml';

describe.each(databases.eachSupportedId())(
  'syncProjectsFromCatalog on %s',
  id => {
    it('tracks the Components that name a repository, and only those', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const store = new DatabaseProjectStore(knex);
      await store.replaceAll([
        { entityRef: 'component:default/gone', repoSlug: 'acme/gone' },
      ]);
      const catalog = catalogServiceMock({
        entities: [
          entity('Component', 'storefront', {
            'github.com/project-slug': 'acme/storefront',
            'opshub.dev/preview-provider': 'netlify',
            'backstage.io/managed-by-location': LOCATION,
          }),
          // Its source location is no proof: the entity's author sets it.
          entity('Component', 'pretender', {
            'github.com/project-slug': 'acme/storefront',
            'backstage.io/source-location':
              'url:https://github.com/acme/storefront/tree/main/',
          }),
          entity('Component', 'bad-slug', {
            'github.com/project-slug': 'not a slug',
          }),
          entity('Component', 'no-slug', {}),
          entity('API', 'storefront-api', {
            'github.com/project-slug': 'acme/storefront',
          }),
        ],
      });
      const logger = mockServices.logger.mock();

      const result = await syncProjectsFromCatalog({
        catalog,
        auth: mockServices.auth(),
        store,
        logger,
      });

      expect(result).toEqual({
        added: 2,
        updated: 0,
        removed: 1,
        newlyTracked: [
          {
            entityRef: 'component:default/storefront',
            repoSlug: 'acme/storefront',
          },
          {
            entityRef: 'component:default/pretender',
            repoSlug: 'acme/storefront',
          },
        ],
      });
      expect(await store.findByRepoSlug('acme/storefront')).toEqual([
        {
          entityRef: 'component:default/pretender',
          repoSlug: 'acme/storefront',
          trackedSince: expect.any(Date),
        },
        {
          entityRef: 'component:default/storefront',
          repoSlug: 'acme/storefront',
          previewProvider: 'netlify',
          trackedSince: expect.any(Date),
          location: LOCATION,
          verifiedBy: 'location',
        },
      ]);
      expect(await store.getProject('component:default/gone')).toBeUndefined();
      expect(logger.info).toHaveBeenCalledWith(
        'Project sync: 2 tracked (2 added, 0 updated, 1 removed), 1 skipped for a malformed github.com/project-slug',
      );
    });

    it('drops the cached repository answers only when a sync changed a project', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const store = new DatabaseProjectStore(knex);
      const repositories = new RepositoryLookup(store, 60_000);
      const clear = jest.spyOn(repositories, 'clear');
      const replanUnmatched = jest.fn(async () => 0);
      const storefront = entity('Component', 'storefront', {
        'github.com/project-slug': 'acme/storefront',
        'backstage.io/managed-by-location': LOCATION,
      });
      const sync = (entities: Entity[]) =>
        runProjectSync({
          catalog: catalogServiceMock({ entities }),
          auth: mockServices.auth(),
          store,
          logger: mockServices.logger.mock(),
          repositories,
          replanUnmatched,
        });
      await expect(
        repositories.projectsFor('acme/storefront'),
      ).resolves.toEqual({ acting: [], unverified: [] });

      await sync([storefront]);
      expect(clear).toHaveBeenCalledTimes(1);
      expect(replanUnmatched).toHaveBeenLastCalledWith(['acme/storefront']);
      await expect(
        repositories.projectsFor('acme/storefront'),
      ).resolves.toEqual({
        acting: ['component:default/storefront'],
        unverified: [],
      });

      await sync([storefront]);
      expect(clear).toHaveBeenCalledTimes(1);
      expect(replanUnmatched).toHaveBeenLastCalledWith([]);

      await sync([]);
      expect(clear).toHaveBeenCalledTimes(2);
      await expect(
        repositories.projectsFor('acme/storefront'),
      ).resolves.toEqual({ acting: [], unverified: [] });
    });
  },
);
