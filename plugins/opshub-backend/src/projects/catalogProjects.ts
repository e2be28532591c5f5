import type { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPSHUB_ANNOTATIONS,
  parseOpsHubAnnotations,
} from '@opshub/plugin-opshub-common';
import { catalogOwnerRef } from '../rbac/catalogOwnerRef';
import { BindingVerifier, LOCATION_ANNOTATION } from './bindings';
import type { ProjectInput } from './ProjectStore';

export interface CatalogProjectsDeps {
  catalog: CatalogService;
  auth: AuthService;
  /**
   * What proves an entity's claim on its repository (its catalog location,
   * the config's approved bindings); by default locations on github.com.
   */
  verifier?: BindingVerifier;
}

/**
 * The catalog's Components with a `github.com/project-slug`, as projects:
 * all of them, or those whose annotation is `repoSlug` (the catalog compares
 * values case-insensitively). Read with the plugin's own service
 * credentials, so it sees every entity whatever the users may read.
 * `malformed` counts the Components skipped for an annotation that is not
 * `owner/repo`.
 */
export async function readCatalogProjects(
  deps: CatalogProjectsDeps,
  repoSlug: string | typeof CATALOG_FILTER_EXISTS = CATALOG_FILTER_EXISTS,
): Promise<{ projects: ProjectInput[]; malformed: number }> {
  const { items } = await deps.catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${OPSHUB_ANNOTATIONS.projectSlug}`]: repoSlug,
      },
      fields: [
        'kind',
        'metadata.namespace',
        'metadata.name',
        'metadata.annotations',
        'spec.owner',
      ],
    },
    { credentials: await deps.auth.getOwnServiceCredentials() },
  );
  const projects: ProjectInput[] = [];
  let malformed = 0;
  const verifier = deps.verifier ?? new BindingVerifier();
  for (const entity of items) {
    const project = projectFromEntity(entity, verifier);
    if (project) projects.push(project);
    else malformed += 1;
  }
  return { projects, malformed };
}

/**
 * The Components that name `repoSlug` (compared case-insensitively), as
 * projects ordered by entity ref: asked when a delivery names a repository
 * that no tracked project names yet.
 */
export async function findProjectsInCatalog(
  deps: CatalogProjectsDeps,
  repoSlug: string,
): Promise<ProjectInput[]> {
  const wanted = repoSlug.toLowerCase();
  const { projects } = await readCatalogProjects(deps, repoSlug);
  return projects
    .filter(p => p.repoSlug.toLowerCase() === wanted)
    .sort((a, b) => (a.entityRef < b.entityRef ? -1 : 1));
}

/**
 * The project an entity is, or undefined when its `github.com/project-slug`
 * is missing or not `owner/repo`; with what its catalog location
 * (`backstage.io/managed-by-location`) or the config proves of its claim on
 * the repository (`verifiedBy`).
 */
export function projectFromEntity(
  entity: Entity,
  verifier: BindingVerifier = new BindingVerifier(),
): ProjectInput | undefined {
  const { annotations } = parseOpsHubAnnotations(entity);
  if (!annotations.projectSlug) return undefined;
  const project: ProjectInput = {
    entityRef: stringifyEntityRef(entity),
    repoSlug: annotations.projectSlug,
    previewProvider: annotations.previewProvider,
    ownerRef: catalogOwnerRef(entity),
    location: entity.metadata.annotations?.[LOCATION_ANNOTATION],
  };
  return { ...project, verifiedBy: verifier.verify(project) };
}
