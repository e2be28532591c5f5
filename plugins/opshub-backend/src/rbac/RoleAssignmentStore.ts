import type { OpsHubRole } from '@opshub/plugin-opshub-common';

/** A user or group holding a role on a project or on the installation. */
export interface RoleAssignment {
  id: string;
  /** The project's entity ref, or `OPSHUB_INSTALLATION_REF` (org level). */
  entityRef: string;
  /** `user:<ns>/<name>` or `group:<ns>/<name>`. */
  subjectRef: string;
  role: OpsHubRole;
  createdBy: string;
  createdAt: Date;
}

export type NewRoleAssignment = Omit<RoleAssignment, 'id' | 'createdAt'>;

/** Persistence of role assignments. Refs are stored in lower case. */
export interface RoleAssignmentStore {
  /** The assignments on one project (or on the installation). */
  list(entityRef: string): Promise<RoleAssignment[]>;
  /** The assignments on any of these entities. */
  onEntities(entityRefs: string[]): Promise<RoleAssignment[]>;
  /** ConflictError when the subject already holds a role there. */
  add(assignment: NewRoleAssignment): Promise<RoleAssignment>;
  /** The removed assignment; undefined when there was none on that entity. */
  remove(entityRef: string, id: string): Promise<RoleAssignment | undefined>;
}
