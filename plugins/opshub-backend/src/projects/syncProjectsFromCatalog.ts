import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPSHUB_ANNOTATIONS,
  parseOpsHubAnnotations,
} from '@opshub/plugin-opshub-common';
import { catalogOwnerRef } from '../rbac/catalogOwnerRef';
import type { ProjectInput, ProjectStore } from './ProjectStore';

/**
 * Makes the tracked projects match the catalog's Components that name a
 * GitHub repository. Reads the catalog with the plugin's own service
 * credentials, so it sees every entity whatever the users may read.
 */
export async function syncProjectsFromCatalog(options: {
  catalog: CatalogService;
  auth: AuthService;
  store: ProjectStore;
  logger: LoggerService;
}): Promise<void> {
  const { catalog, auth, store, logger } = options;
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${OPSHUB_ANNOTATIONS.projectSlug}`]:
          CATALOG_FILTER_EXISTS,
      },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
        'spec.owner',
      ],
    },
    { credentials: await auth.getOwnServiceCredentials() },
  );

  const projects: ProjectInput[] = [];
  let malformed = 0;
  for (const entity of items) {
    const { annotations } = parseOpsHubAnnotations(entity);
    if (!annotations.projectSlug) {
      malformed += 1;
      continue;
    }
    projects.push({
      entityRef: stringifyEntityRef(entity),
      repoSlug: annotations.projectSlug,
      previewProvider: annotations.previewProvider,
      ownerRef: catalogOwnerRef(entity),
    });
  }

  const result = await store.replaceAll(projects);
  logger.info(
    `Project sync: ${projects.length} tracked (${result.added} added, ${result.updated} updated, ${result.removed} removed), ${malformed} skipped for a malformed ${OPSHUB_ANNOTATIONS.projectSlug}`,
  );
}
