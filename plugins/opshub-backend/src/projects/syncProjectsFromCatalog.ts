import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { OPSHUB_ANNOTATIONS } from '@opshub/plugin-opshub-common';
import type { BindingVerifier } from './bindings';
import { readCatalogProjects } from './catalogProjects';
import type { ProjectStore, ProjectSyncResult } from './ProjectStore';
import type { RepositoryLookup } from './RepositoryLookup';

/**
 * Makes the tracked projects match the catalog's Components that name a
 * GitHub repository. Reads the catalog with the plugin's own service
 * credentials, so it sees every entity whatever the users may read, and
 * verifies each binding again from its catalog location and the config
 * (`verifier`). The result's `newlyTracked` names the projects whose
 * repository's unmatched (or unverified) deliveries may act now
 * (`WebhookIntake.replanUnmatched`).
 */
export async function syncProjectsFromCatalog(options: {
  catalog: CatalogService;
  auth: AuthService;
  store: ProjectStore;
  logger: LoggerService;
  verifier?: BindingVerifier;
}): Promise<ProjectSyncResult> {
  const { catalog, auth, store, logger, verifier } = options;
  const { projects, malformed } = await readCatalogProjects({
    catalog,
    auth,
    verifier,
  });

  const result = await store.replaceAll(projects);
  logger.info(
    `Project sync: ${projects.length} tracked (${result.added} added, ${result.updated} updated, ${result.removed} removed), ${malformed} skipped for a malformed ${OPSHUB_ANNOTATIONS.projectSlug}`,
  );
  return result;
}

/**
 * The `opshub-project-sync` task: a sync, then what depends on the tracked
 * projects. The instance's cached answers about repositories are dropped
 * only when the sync changed a project (a sync that changed nothing leaves
 * them, so deliveries keep answering from the cache), and the recent
 * unmatched deliveries of newly tracked repositories are planned again.
 */
export async function runProjectSync(
  options: Parameters<typeof syncProjectsFromCatalog>[0] & {
    repositories: Pick<RepositoryLookup, 'clear'>;
    replanUnmatched(repoSlugs: string[]): Promise<unknown>;
  },
): Promise<ProjectSyncResult> {
  const result = await syncProjectsFromCatalog(options);
  if (result.added + result.updated + result.removed > 0) {
    options.repositories.clear();
  }
  await options.replanUnmatched(result.newlyTracked.map(p => p.repoSlug));
  return result;
}
