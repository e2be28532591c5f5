import {
  highestRole,
  OPSHUB_INSTALLATION_REF,
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import type { RoleAssignment } from './RoleAssignmentStore';

/** What decides a user's role on one project (or on the installation). */
export interface RoleInputs {
  /** The project's entity ref, or `OPSHUB_INSTALLATION_REF`. */
  entityRef: string;
  /** The user's own ref and the groups they belong to (ownership refs). */
  ownershipRefs: string[];
  /** Assignments of those refs on the project and on the installation. */
  assignments: RoleAssignment[];
  /** The project's catalog owner (`spec.owner`), when it has one. */
  catalogOwnerRef?: string;
  /** The role members of the catalog owner get; undefined turns it off. */
  implicitOwnerRole?: OpsHubRole;
}

/**
 * The highest of: an org-level assignment, a project-level assignment on the
 * entity, and the implicit role of the entity's catalog owner. On the
 * installation itself only org-level assignments count.
 */
export function effectiveRole(inputs: RoleInputs): OpsHubRole | undefined {
  const lower = (ref: string) => ref.toLocaleLowerCase('en-US');
  const subjects = new Set(inputs.ownershipRefs.map(lower));
  const entityRef = lower(inputs.entityRef);
  const scopes = new Set([entityRef, OPSHUB_INSTALLATION_REF]);
  const assigned = inputs.assignments
    .filter(a => subjects.has(lower(a.subjectRef)))
    .filter(a => scopes.has(lower(a.entityRef)))
    .map(a => a.role);
  const ownsEntity =
    entityRef !== OPSHUB_INSTALLATION_REF &&
    inputs.catalogOwnerRef !== undefined &&
    subjects.has(lower(inputs.catalogOwnerRef));
  return highestRole([
    ...assigned,
    ownsEntity ? inputs.implicitOwnerRole : undefined,
  ]);
}
