/*
 * R7 roles: every guarded route × every caller (no token, no role, each
 * role from an org, project or group assignment, a service principal per
 * role, the catalog owner's implicit role) × both projects (the caller's
 * and another), and every MCP action × its principals × both projects, on
 * OpsHub in-process with the real permission backend and OpsHub's policy.
 * A leak: a caller refused by the role table gets anything but 401/403 (or
 * 404 where a route hides), a list shows a project it may not read, or a
 * refused call changed a table. Expectations come from the plugin's own
 * route and action requirement tables (the ones its jest tests use).
 */
import { startTestBackend } from '@backstage/backend-test-utils';
import {
  minimumRoleFor,
  OPSHUB_ROLES,
  type OpsHubRole,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import {
  actionsBackendFeatures,
  invokeAction,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/actionsBackend';
import { seedPreview } from '@opshub/plugin-opshub-backend/src/__testUtils__/previews';
import {
  as,
  asService,
  assignEachRole,
  BILLING,
  STOREFRONT,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import {
  guardedRoutes,
  LIST_FIELDS,
  MATRIX_GROUPS,
  REQUIRED,
  refused,
  send,
  SERVICE_ROLES,
  WRITTEN_BY_ROUTES,
} from '@opshub/plugin-opshub-backend/src/__testUtils__/routeRequirements';
import {
  ACTION_CALLERS,
  ACTION_REQUIREMENTS,
  expectedActionStatus,
  seedActionInputs,
} from '@opshub/plugin-opshub-backend/src/actions/__testUtils__/actionRequirements';
import type { Knex } from 'knex';
import { exactly, type Row } from '../row';
import { memoryDatabase } from '../inProcess/memoryDatabase';
import { inBatches } from '../inProcess/inBatches';

/** Who calls a route, and the role they hold on each project. */
interface Caller {
  name: string;
  headers: Record<string, string>;
  /** Role per project ref; org-level roles hold on both and the installation. */
  roles: Record<string, OpsHubRole | undefined>;
  orgLevel: boolean;
}

const PROJECTS = [STOREFRONT, BILLING];

function callers(): Caller[] {
  const onStorefront = (role?: OpsHubRole) => ({ [STOREFRONT]: role });
  const everywhere = (role: OpsHubRole) => ({
    [STOREFRONT]: role,
    [BILLING]: role,
  });
  const user = (name: string, roles: Caller['roles'], orgLevel = false) => ({
    name,
    headers: as(name),
    roles,
    orgLevel,
  });
  return [
    { name: 'anonymous', headers: {}, roles: {}, orgLevel: false },
    user('user:default/nobody', {}),
    ...['external:unlisted', 'plugin:mcp-actions'].map(subject => ({
      name: subject,
      headers: asService(subject),
      roles: {},
      orgLevel: false,
    })),
    // Members of each project's catalog owner: the implicit maintainer.
    user('user:default/web-dev', onStorefront('maintainer')),
    user('user:default/billing-dev', { [BILLING]: 'maintainer' }),
    ...OPSHUB_ROLES.flatMap(role => [
      user(`user:default/org-${role}`, everywhere(role), true),
      user(`user:default/project-${role}`, onStorefront(role)),
      user(`user:default/member-${role}`, onStorefront(role)),
      {
        name: `external:svc-${role}`,
        headers: asService(`external:svc-${role}`),
        roles: everywhere(role),
        orgLevel: true,
      },
    ]),
  ];
}

type Route = ReturnType<typeof guardedRoutes>[number];

/** One call of the matrix and whether the role table allows it. */
interface Combination {
  route: Route;
  caller: Caller;
  project: string;
  allowed: boolean;
}

function routeCombinations(previewIds: Record<string, string>): Combination[] {
  const combinations: Combination[] = [];
  const seen = new Set<string>();
  for (const project of PROJECTS) {
    const name = project.split('/')[1];
    const routes = guardedRoutes({ name, previewId: previewIds[project] });
    for (const route of routes) {
      // Installation routes are the same whatever the project.
      if (seen.has(`${route.method} ${route.path}`)) continue;
      seen.add(`${route.method} ${route.path}`);
      for (const caller of callers()) {
        const required = REQUIRED[route.key];
        if (!required) throw new Error(`No requirement for ${route.key}`);
        let allowed: boolean;
        if (caller.name === 'anonymous') allowed = false;
        else if (required === 'list') allowed = true;
        else {
          const enough = roleAtLeast(
            caller.roles[project],
            minimumRoleFor(required.permission)!,
          );
          allowed =
            required.scope === 'installation'
              ? caller.orgLevel && enough
              : enough;
        }
        combinations.push({ route, caller, project, allowed });
      }
    }
  }
  return combinations;
}

/** The project refs a list answered with. */
function listedProjects(route: Route, body: any): string[] {
  const items: unknown[] = body?.[LIST_FIELDS[route.key] ?? 'items'] ?? [];
  return items.map(item =>
    typeof item === 'string' ? item : (item as { entityRef: string }).entityRef,
  );
}

async function snapshot(knex: Knex): Promise<string[]> {
  return Promise.all(
    WRITTEN_BY_ROUTES.map(async table =>
      JSON.stringify(await knex(table).select().orderBy(1)),
    ),
  );
}

export const row: Row = {
  id: 'R7',
  title: 'roles',
  budgetMs: () => 90_000,
  async run({ log }) {
    const knex = await memoryDatabase();
    const previewIds: Record<string, string> = {};
    const actionInputs: Record<
      string,
      Record<string, Record<string, unknown>>
    > = {};
    for (const project of PROJECTS) {
      // The routes' sample preview: approvable, so approve is allowed.
      previewIds[project] = await seedPreview(knex, {
        entityRef: project,
        prNumber: 100,
        state: 'awaiting-approval',
        repository: `acme/${project.split('/')[1]}`,
      });
      actionInputs[project] = await seedActionInputs(knex, project);
    }
    await assignEachRole(knex);
    const backend = await startTestBackend({
      features: actionsBackendFeatures({
        knex,
        groups: MATRIX_GROUPS,
        opshub: {
          ...SERVICE_ROLES,
          rbac: {
            ...SERVICE_ROLES.rbac,
            mutationsPerMinute: 1_000_000,
          },
          queue: { concurrency: 0 },
          health: { previews: { enabled: false } },
        },
      }),
    });
    const server = backend.server;
    const problems: string[] = [];
    let leaks = 0;
    let wronglyRefused = 0;
    try {
      // Actions first: the matrix changes nothing (allowed changes of the
      // sample previews answer 409), the routes' allowed calls below do.
      let actionCalls = 0;
      const actionCallers = [
        ...ACTION_CALLERS,
        { name: 'anonymous', headers: {}, orgLevel: false },
      ];
      await inBatches(
        PROJECTS.flatMap(project =>
          Object.keys(ACTION_REQUIREMENTS)
            .filter(
              name =>
                project === STOREFRONT ||
                ACTION_REQUIREMENTS[name].scope === 'project',
            )
            .flatMap(name =>
              actionCallers.map(caller => ({ project, name, caller })),
            ),
        ),
        async ({ project, name, caller }) => {
          actionCalls += 1;
          const res = await invokeAction(
            server,
            name,
            actionInputs[project][name],
            caller.headers,
          );
          const expected =
            caller.name === 'anonymous'
              ? 401
              : expectedActionStatus(name, caller, {
                  otherProject: project !== STOREFRONT,
                });
          const expectRefused = [401, 403, 404].includes(expected);
          const gotRefused = [401, 403, 404].includes(res.status);
          if (expectRefused && !gotRefused) {
            leaks += 1;
            problems.push(
              `leak: ${caller.name} ${name} on ${project}: ${res.status}`,
            );
          } else if (!expectRefused && gotRefused) {
            wronglyRefused += 1;
            problems.push(
              `refused: ${caller.name} ${name} on ${project}: ${res.status}`,
            );
          }
        },
      );

      const combinations = routeCombinations(previewIds);
      const before = await snapshot(knex);
      await inBatches(
        combinations.filter(c => !c.allowed),
        async ({ route, caller, project }) => {
          const res = await send(server, route, caller.headers);
          if (!refused(route, res.status)) {
            leaks += 1;
            problems.push(
              `leak: ${caller.name} ${route.key} on ${project}: ${res.status}`,
            );
          }
        },
      );
      const after = await snapshot(knex);
      const changed = WRITTEN_BY_ROUTES.filter(
        (_, i) => before[i] !== after[i],
      );
      leaks += changed.length;
      for (const table of changed)
        problems.push(`leak: refused calls changed ${table}`);

      await inBatches(
        combinations.filter(c => c.allowed),
        async ({ route, caller, project }) => {
          const res = await send(server, route, caller.headers);
          if (refused(route, res.status)) {
            wronglyRefused += 1;
            problems.push(
              `refused: ${caller.name} ${route.key} on ${project}: ${res.status}`,
            );
          } else if (REQUIRED[route.key] === 'list') {
            const unreadable = listedProjects(route, res.body).filter(
              ref => !caller.roles[ref],
            );
            if (unreadable.length > 0) {
              leaks += 1;
              problems.push(
                `leak: ${route.key} listed ${unreadable.join(', ')} to ${
                  caller.name
                }`,
              );
            }
          }
        },
      );
      for (const problem of problems.slice(0, 20)) log(problem);
      log(
        `${combinations.length} route combinations (${
          new Set(combinations.map(c => c.route.key)).size
        } routes × ${callers().length} callers × ${
          PROJECTS.length
        } projects, installation routes once), ${actionCalls} action combinations`,
      );
      return [
        exactly(
          `leaks (of ${combinations.length + actionCalls} combinations)`,
          0,
          leaks,
        ),
        exactly('allowed callers refused', 0, wronglyRefused),
      ];
    } finally {
      await backend.stop();
      await knex.destroy();
    }
  },
};
