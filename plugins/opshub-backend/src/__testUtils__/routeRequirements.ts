import {
  minimumRoleFor,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import request from 'supertest';
import { routeTableRouter, UNAUTHENTICATED_ROUTES } from '../router';
import { routeTable, samplePath } from './routeTable';

/**
 * What each route requires. A route missing here fails the walk below, so
 * every route added later joins this matrix. `hidden`: a caller who may not
 * read the project gets 404, as for an id that does not exist (the route
 * names its project only through the id).
 */
export const REQUIRED: Record<
  string,
  | { permission: string; scope: 'project' | 'installation'; hidden?: true }
  | 'list'
> = {
  'GET /entities/:kind/:namespace/:name/summary': {
    permission: 'opshub.project.read',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/role': {
    permission: 'opshub.project.read',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/activity': {
    permission: 'opshub.project.read',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/assignments': {
    permission: 'opshub.role.read',
    scope: 'project',
  },
  'POST /entities/:kind/:namespace/:name/assignments': {
    permission: 'opshub.role.manage',
    scope: 'project',
  },
  'DELETE /entities/:kind/:namespace/:name/assignments/:id': {
    permission: 'opshub.role.manage',
    scope: 'project',
  },
  'GET /projects': 'list',
  'GET /org/bindings': { permission: 'opshub.admin', scope: 'installation' },
  'PUT /org/bindings/:kind/:namespace/:name': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'DELETE /org/bindings/:kind/:namespace/:name': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /org/activity': { permission: 'opshub.admin', scope: 'installation' },
  'GET /org/assignments': { permission: 'opshub.admin', scope: 'installation' },
  'POST /org/assignments': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'DELETE /org/assignments/:id': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /webhooks/deliveries': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /webhooks/deliveries/:deliveryId': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'POST /webhooks/deliveries/:deliveryId/redeliver': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /queue/stats': { permission: 'opshub.admin', scope: 'installation' },
  'GET /queue/jobs': { permission: 'opshub.admin', scope: 'installation' },
  'GET /queue/jobs/:id': { permission: 'opshub.admin', scope: 'installation' },
  'POST /queue/jobs/:id/retry': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'POST /queue/jobs/:id/cancel': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /org/encryption': { permission: 'opshub.admin', scope: 'installation' },
  'POST /org/encryption/rotate': {
    permission: 'opshub.admin',
    scope: 'installation',
  },
  'GET /entities/:kind/:namespace/:name/envvars': {
    permission: 'opshub.envvar.read',
    scope: 'project',
  },
  'PUT /entities/:kind/:namespace/:name/envvars/:environment/:varName': {
    permission: 'opshub.envvar.write',
    scope: 'project',
  },
  'DELETE /entities/:kind/:namespace/:name/envvars/:environment/:varName': {
    permission: 'opshub.envvar.write',
    scope: 'project',
  },
  'POST /entities/:kind/:namespace/:name/envvars/:environment/:varName/reveal':
    { permission: 'opshub.envvar.reveal', scope: 'project' },
  'GET /entities/:kind/:namespace/:name/envvars/:environment/:varName/versions':
    { permission: 'opshub.envvar.read', scope: 'project' },
  'POST /entities/:kind/:namespace/:name/envvars/:environment/:varName/versions/:version/restore':
    { permission: 'opshub.envvar.write', scope: 'project' },
  'POST /entities/:kind/:namespace/:name/envvars/:environment/import': {
    permission: 'opshub.envvar.write',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/envvars/:environment/export': {
    permission: 'opshub.envvar.reveal',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/health': {
    permission: 'opshub.health.read',
    scope: 'project',
  },
  'POST /entities/:kind/:namespace/:name/health/checks': {
    permission: 'opshub.health.manage',
    scope: 'project',
  },
  'PATCH /entities/:kind/:namespace/:name/health/checks/:checkId': {
    permission: 'opshub.health.manage',
    scope: 'project',
  },
  'DELETE /entities/:kind/:namespace/:name/health/checks/:checkId': {
    permission: 'opshub.health.manage',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/health/checks/:checkId/samples': {
    permission: 'opshub.health.read',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/health/checks/:checkId/incidents': {
    permission: 'opshub.health.read',
    scope: 'project',
  },
  'GET /entities/:kind/:namespace/:name/health/checks/:checkId/rollups': {
    permission: 'opshub.health.read',
    scope: 'project',
  },
  'POST /entities/:kind/:namespace/:name/health/checks/:checkId/maintenance': {
    permission: 'opshub.health.manage',
    scope: 'project',
  },
  'DELETE /entities/:kind/:namespace/:name/health/checks/:checkId/maintenance/:windowId':
    { permission: 'opshub.health.manage', scope: 'project' },
  'GET /entities/:kind/:namespace/:name/analytics': {
    permission: 'opshub.analytics.read',
    scope: 'project',
  },
  'GET /analytics/overview': 'list',
  'GET /analytics/groups/:namespace/:name': 'list',
  'GET /previews': { permission: 'opshub.preview.read', scope: 'project' },
  'GET /previews/:previewId': {
    permission: 'opshub.preview.read',
    scope: 'project',
    hidden: true,
  },
  'POST /previews/:previewId/redeploy': {
    permission: 'opshub.preview.manage',
    scope: 'project',
    hidden: true,
  },
  'POST /previews/:previewId/approve': {
    permission: 'opshub.preview.approve',
    scope: 'project',
    hidden: true,
  },
  'DELETE /previews/:previewId': {
    permission: 'opshub.preview.manage',
    scope: 'project',
    hidden: true,
  },
};

export const SAMPLES = {
  kind: 'component',
  namespace: 'default',
  name: 'storefront',
  id: '999999',
  deliveryId: 'no-such-delivery',
  // The storefront's preview the tests seed (the first row: id 1).
  previewId: '1',
  // A variable of an unprotected environment (write, not write.production).
  environment: 'development',
  varName: 'SAMPLE_VAR',
  version: '1',
  // No such health check: allowed callers get 404, refused ones 401/403.
  checkId: '999999',
  windowId: '999999',
};
/** The group that owns each project of the catalog (rbacBackend's ENTITIES). */
const OWNER_GROUPS: Record<string, string> = {
  storefront: 'web',
  billing: 'billing',
};
/** Parameters of routes whose samples differ: the project's owner group. */
const sampleParams = (
  name: string,
): Record<string, Record<string, string>> => ({
  'GET /analytics/groups/:namespace/:name': { name: OWNER_GROUPS[name] },
});
/** What a list route answers its rows in, when not `items`. */
export const LIST_FIELDS: Record<string, string> = {
  'GET /analytics/groups/:namespace/:name': 'entities',
};
/** Query strings of routes that name their project there. */
const sampleQueries = (name: string): Record<string, string> => ({
  'GET /previews': `?entityRef=component:default/${name}`,
});

/**
 * The router's own route table (its dependencies are never called), each
 * route with a sample path; `samples` overrides SAMPLES (another project:
 * its `name` and `previewId`).
 */
export function mountedRoutes(samples: Partial<typeof SAMPLES> = {}) {
  const router = routeTableRouter();
  const values = { ...SAMPLES, ...samples };
  return routeTable(router).map(({ method, path }) => {
    const key = `${method} ${path}`;
    return {
      method,
      pattern: path,
      key,
      path: `/api/opshub${samplePath(path, {
        ...values,
        ...sampleParams(values.name)[key],
      })}${sampleQueries(values.name)[key] ?? ''}`,
    };
  });
}

/** Every route that requires a caller, with sample paths (see mountedRoutes). */
export const guardedRoutes = (samples: Partial<typeof SAMPLES> = {}) =>
  mountedRoutes(samples).filter(
    r => !(UNAUTHENTICATED_ROUTES as readonly string[]).includes(r.pattern),
  );

/** Calls a route as `headers`; a POST carries a role assignment body. */
export function send(
  server: Parameters<typeof request>[0],
  route: { method: string; path: string },
  headers: Record<string, string>,
) {
  const agent = request(server);
  const method = route.method.toLowerCase() as
    | 'get'
    | 'post'
    | 'put'
    | 'patch'
    | 'delete';
  const req = agent[method](route.path).set(headers);
  return route.method === 'POST'
    ? req.send({ subjectRef: 'user:default/newcomer', role: 'viewer' })
    : req;
}

/** Whether a route refused the caller: 401, 403, or 404 where it hides. */
export function refused(route: { key: string }, status: number): boolean {
  const required = REQUIRED[route.key];
  const hidden = required !== 'list' && required.hidden === true;
  return status === 401 || status === 403 || (hidden && status === 404);
}

/** Whether `role` from `source` may use a route. */
export function expectAllowed(
  required: (typeof REQUIRED)[string],
  source: 'org' | 'project' | 'group' | 'implicit',
  role: OpsHubRole,
): boolean {
  if (required === 'list') return true;
  const enough = roleAtLeast(role, minimumRoleFor(required.permission)!);
  if (required.scope === 'installation') return source === 'org' && enough;
  return enough;
}

/** A service principal per role: `external:svc-<role>`. */
export const SERVICE_ROLES = {
  rbac: {
    servicePrincipals: OPSHUB_ROLES.map(role => ({
      subject: `external:svc-${role}`,
      role,
    })),
  },
};

/** The tables OpsHub's routes write (every mutation adds an activity row). */
export const WRITTEN_BY_ROUTES = [
  'activity',
  'role_assignments',
  'binding_approvals',
  'env_vars',
  'env_var_versions',
  'health_checks',
  'health_maintenance_windows',
];

/**
 * The groups of the matrix's users: `member-<role>` is in `team-<role>`
 * (which holds the role on the storefront), `web-dev` and `billing-dev` in
 * the groups owning each project in the catalog (the implicit role).
 */
export const MATRIX_GROUPS: Record<string, string[]> = Object.fromEntries([
  ...OPSHUB_ROLES.map(role => [
    `user:default/member-${role}`,
    [`group:default/team-${role}`],
  ]),
  ['user:default/web-dev', ['group:default/web']],
  ['user:default/billing-dev', ['group:default/billing']],
]);
