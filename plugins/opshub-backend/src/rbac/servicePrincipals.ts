import type { BackstageServicePrincipal } from '@backstage/backend-plugin-api';
import type { Permission } from '@backstage/plugin-permission-common';
import {
  minimumRoleFor,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import { z } from 'zod';

/** One entry of `opshub.rbac.servicePrincipals`. */
export interface ServicePrincipalRole {
  /**
   * As Backstage reports the principal: a static token's configured subject
   * as written, a JWKS token's `external:…`, a plugin's `plugin:<id>`.
   */
  subject: string;
  role: OpsHubRole;
}

const KEY = 'opshub.rbac.servicePrincipals';

const entrySchema = z.strictObject({
  subject: z
    .string({ error: 'subject must be a string' })
    .regex(
      /^\S+$/,
      "subject must be a service principal as Backstage reports it, without spaces, like plugin:mcp-actions or a static token's subject",
    ),
  role: z.enum(OPSHUB_ROLES, {
    error: issue =>
      `role must be one of ${OPSHUB_ROLES.join(', ')}, not ${JSON.stringify(
        issue.input,
      )}`,
  }),
});

/**
 * Validates `opshub.rbac.servicePrincipals`; an error names the entry (its
 * index and subject) and what is wrong with it, so startup stops on it.
 */
export function parseServicePrincipals(value: unknown): ServicePrincipalRole[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(`${KEY} must be a list of { subject, role }`);
  }
  const seen = new Map<string, number>();
  return value.map((entry, i) => {
    const parsed = entrySchema.safeParse(entry);
    const subject = (entry as { subject?: unknown } | null)?.subject;
    const at = `${KEY}[${i}]${
      typeof subject === 'string' && subject ? ` (${subject})` : ''
    }`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message =
        issue.code === 'unrecognized_keys'
          ? `has unknown keys ${issue.keys.join(
              ', ',
            )}; it takes subject and role`
          : issue.message;
      throw new Error(`${at}: ${message}`);
    }
    const earlier = seen.get(parsed.data.subject);
    if (earlier !== undefined) {
      throw new Error(
        `${at}: the subject is also given a role by ${KEY}[${earlier}]; give each subject one role`,
      );
    }
    seen.set(parsed.data.subject, i);
    return parsed.data;
  });
}

/**
 * Whether a service principal may use an OpsHub permission, anywhere: its
 * configured role is at least the permission's minimum (org-level, so on
 * every project and the installation), and its token's access restrictions,
 * if any, allow the permission too. A subject without a role may do nothing.
 */
export function serviceMay(
  roles: ReadonlyMap<string, OpsHubRole>,
  principal: BackstageServicePrincipal,
  permission: Permission,
): boolean {
  const minimum = minimumRoleFor(permission.name);
  if (!minimum || !roleAtLeast(roles.get(principal.subject), minimum)) {
    return false;
  }
  const { permissionNames, permissionAttributes } =
    principal.accessRestrictions ?? {};
  if (permissionNames && !permissionNames.includes(permission.name)) {
    return false;
  }
  const action = permission.attributes.action;
  return (
    !permissionAttributes?.action ||
    (action !== undefined && permissionAttributes.action.includes(action))
  );
}
