import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import {
  OPSHUB_INSTALLATION_REF,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import type { ProjectAccessQuery } from './permissionRules';
import type { ProjectFilter } from './ProjectAuthorizer';

/** What the SQL filter needs beyond the assignments table. */
export interface AccessFilterOptions {
  implicitOwnerRole?: OpsHubRole;
  /** `opshub.rbac.orgOwners`, lower case. */
  orgOwners: string[];
}

/**
 * The `HAS_ROLE_AT_LEAST` conditions of a permission decision as a filter on
 * the `projects` table, so list routes read only the rows the caller may
 * see: the same roles `effectiveRole` grants (an org or project assignment
 * of one of the caller's ownership refs, or membership of the project's
 * catalog owner), evaluated by the database.
 */
export function accessFilter(
  criteria: PermissionCriteria<ProjectAccessQuery>,
  options: AccessFilterOptions,
): (query: Knex.QueryBuilder) => void {
  return query => {
    applyCriteria(query, criteria, options);
  };
}

/**
 * A list decision that lets some projects through as a filter on the
 * `projects` table; undefined when it lets every project through.
 */
export function readableProjectsWhere(
  filter: Exclude<ProjectFilter, { none: true }>,
  options: AccessFilterOptions,
): ((query: Knex.QueryBuilder) => void) | undefined {
  return 'criteria' in filter
    ? accessFilter(filter.criteria, options)
    : undefined;
}

function applyCriteria(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<ProjectAccessQuery>,
  options: AccessFilterOptions,
): void {
  if (isAndCriteria(criteria)) {
    query.where(all => {
      for (const c of criteria.allOf) {
        all.andWhere(q => applyCriteria(q, c, options));
      }
    });
  } else if (isOrCriteria(criteria)) {
    query.where(any => {
      for (const c of criteria.anyOf) {
        any.orWhere(q => applyCriteria(q, c, options));
      }
    });
  } else if (isNotCriteria(criteria)) {
    query.whereNot(q => applyCriteria(q, criteria.not, options));
  } else {
    hasRoleAtLeast(query, criteria, options);
  }
}

function hasRoleAtLeast(
  query: Knex.QueryBuilder,
  { minimumRole, ownershipRefs }: ProjectAccessQuery,
  options: AccessFilterOptions,
): void {
  const refs = ownershipRefs.map(ref => ref.toLocaleLowerCase('en-US'));
  if (refs.some(ref => options.orgOwners.includes(ref))) {
    // An org owner holds every role everywhere.
    query.whereRaw('1 = 1');
    return;
  }
  const roles = OPSHUB_ROLES.filter(role => roleAtLeast(role, minimumRole));
  query.where(granted => {
    granted.whereExists(assigned =>
      assigned
        .select('ra.id')
        .from('role_assignments as ra')
        .whereIn('ra.subject_ref', refs)
        .whereIn('ra.role', roles)
        .where(scope =>
          scope
            .where('ra.entity_ref', OPSHUB_INSTALLATION_REF)
            .orWhereRaw('ra.entity_ref = lower(projects.entity_ref)'),
        ),
    );
    if (
      options.implicitOwnerRole &&
      roleAtLeast(options.implicitOwnerRole, minimumRole)
    ) {
      // owner_ref may be NULL: keep the test two-valued, so NOT works.
      granted.orWhere(owned =>
        owned
          .whereNotNull('projects.owner_ref')
          .whereIn('projects.owner_ref', refs),
      );
    }
  });
}
