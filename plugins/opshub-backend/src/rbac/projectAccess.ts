import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { catalogOwnerRef } from './catalogOwnerRef';
import type {
  RoleAssignment,
  RoleAssignmentStore,
} from './RoleAssignmentStore';

/** What deciding a role on a project needs: the permission rule's resource. */
export interface ProjectAccess {
  /** The project's entity ref, or `OPSHUB_INSTALLATION_REF`. */
  entityRef: string;
  /** The entity's catalog owner (`spec.owner`), as a full ref. */
  catalogOwnerRef?: string;
  /** Assignments on the project and on the installation. */
  assignments: RoleAssignment[];
}

/**
 * Loads {@link ProjectAccess} for the permission framework's resource refs:
 * the assignments from the plugin database and each entity's owner from the
 * catalog, read with the plugin's own credentials. An entity the catalog
 * does not know loads as undefined (nothing to grant on).
 */
export async function loadProjectAccess(
  deps: {
    assignments: RoleAssignmentStore;
    catalog: CatalogService;
    auth: AuthService;
    /** `opshub.rbac.orgOwners`: owners of the installation from config. */
    orgOwners: string[];
  },
  resourceRefs: string[],
): Promise<Array<ProjectAccess | undefined>> {
  const refs = resourceRefs.map(ref => ref.toLocaleLowerCase('en-US'));
  const projectRefs = refs.filter(ref => ref !== OPSHUB_INSTALLATION_REF);
  const [assignments, entities] = await Promise.all([
    deps.assignments.onEntities([
      ...new Set([...refs, OPSHUB_INSTALLATION_REF]),
    ]),
    projectRefs.length > 0
      ? readEntities(deps, projectRefs)
      : Promise.resolve(new Map<string, Entity>()),
  ]);
  const fromConfig = orgOwnerAssignments(deps.orgOwners);
  return refs.map(entityRef => {
    const relevant = [...fromConfig, ...assignments].filter(
      a => a.entityRef === entityRef || a.entityRef === OPSHUB_INSTALLATION_REF,
    );
    if (entityRef === OPSHUB_INSTALLATION_REF) {
      return { entityRef, assignments: relevant };
    }
    const entity = entities.get(entityRef);
    if (!entity) return undefined;
    return {
      entityRef,
      catalogOwnerRef: catalogOwnerRef(entity),
      assignments: relevant,
    };
  });
}

async function readEntities(
  deps: { catalog: CatalogService; auth: AuthService },
  entityRefs: string[],
): Promise<Map<string, Entity>> {
  const credentials: BackstageCredentials =
    await deps.auth.getOwnServiceCredentials();
  const { items } = await deps.catalog.getEntitiesByRefs(
    {
      entityRefs,
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'spec.owner'],
    },
    { credentials },
  );
  const found = new Map<string, Entity>();
  items.forEach((entity, i) => {
    if (entity) found.set(entityRefs[i], entity);
  });
  return found;
}

/** The configured org owners, as assignments on the installation. */
export function orgOwnerAssignments(orgOwners: string[]): RoleAssignment[] {
  return orgOwners.map(subjectRef => ({
    id: `config:${subjectRef}`,
    entityRef: OPSHUB_INSTALLATION_REF,
    subjectRef,
    role: 'owner',
    createdBy: 'app-config (opshub.rbac.orgOwners)',
    createdAt: new Date(0),
  }));
}
