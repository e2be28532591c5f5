import type { UserInfoService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  OPSHUB_INSTALLATION_REF,
  OPSHUB_ROLES,
  opshubAdminPermission,
  opshubPermissions,
  opshubProjectReadPermission,
  opshubRoleManagePermission,
  opshubRoleReadPermission,
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import Router from 'express-promise-router';
import { jsonBody } from '../http/bodyParsers';
import { z } from 'zod';
import type { Audited } from '../activity/audited';
import { entityRefParam } from '../http/entityRef';
import { parseInput } from '../http/validation';
import { effectiveRole } from './effectiveRole';
import type { ProjectAccess } from './projectAccess';
import { orgOwnerAssignments } from './projectAccess';
import {
  actorRefOf,
  type OpsHubPermission,
  type ProjectAuthorizer,
} from './ProjectAuthorizer';
import type { RoleAssignmentStore } from './RoleAssignmentStore';
import { normalizeSubjectRef } from './subjectRef';

const newAssignment = z.object({
  subjectRef: z
    .string()
    .max(255)
    .transform((ref, ctx) => {
      const subject = normalizeSubjectRef(ref);
      if (subject) return subject;
      ctx.addIssue({
        code: 'custom',
        message: 'must be a user or group ref, like user:default/jane',
      });
      return z.NEVER;
    }),
  role: z.enum(OPSHUB_ROLES),
});
const assignmentParams = z.object({
  id: z.string().regex(/^\d{1,18}$/, 'not an assignment id'),
});

/**
 * Role assignments on a project (`/entities/...`) and on the installation
 * (`/org/...`), and the caller's own role and permissions on a project.
 */
export function roleRoutes(deps: {
  authorizer: ProjectAuthorizer;
  assignments: RoleAssignmentStore;
  userInfo: UserInfoService;
  loadAccess(refs: string[]): Promise<Array<ProjectAccess | undefined>>;
  implicitOwnerRole?: OpsHubRole;
  orgOwners: string[];
  audited: Audited;
}) {
  const { authorizer, assignments, audited } = deps;
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/role', async (req, res) => {
    const { ref } = entityRefParam(req);
    const credentials = await authorizer.caller(req);
    // One decision for every permission (project read among them) and one
    // load of the project's access data, shared by the check and the answer.
    const [ownershipRefs, decided] = await Promise.all([
      credentials.principal.type === 'user'
        ? deps.userInfo
            .getUserInfo(credentials)
            .then(info => info.ownershipEntityRefs)
        : undefined,
      authorizer.decide(credentials, opshubPermissions, ref),
    ]);
    const { allowed } = decided;
    authorizer.require(
      allowed[opshubPermissions.indexOf(opshubProjectReadPermission)],
      opshubProjectReadPermission,
    );
    // Loaded by the decision unless the policy answered without conditions.
    const access = decided.access ?? (await deps.loadAccess([ref]))[0];
    let role: OpsHubRole | undefined;
    if (access && ownershipRefs) {
      role = effectiveRole({
        ...access,
        ownershipRefs,
        implicitOwnerRole: deps.implicitOwnerRole,
      });
    } else if (access) {
      // A service principal: its configured role, the same everywhere.
      role = authorizer.serviceRole(credentials);
    }
    res.json({
      entityRef: ref,
      role: role ?? null,
      permissions: Object.fromEntries(
        opshubPermissions.map((p, i) => [p.name, allowed[i]]),
      ),
    });
  });

  /** The three assignment routes, on a project or on the installation. */
  function assignmentRoutes(
    path: string,
    scope: (req: Request) => string,
    read: OpsHubPermission,
    manage: OpsHubPermission,
  ) {
    router.get(path, async (req, res) => {
      const entityRef = scope(req);
      await authorizer.authorize(req, read, entityRef);
      const stored = await assignments.list(entityRef);
      res.json({
        items:
          entityRef === OPSHUB_INSTALLATION_REF
            ? [...orgOwnerAssignments(deps.orgOwners), ...stored]
            : stored,
      });
    });

    // Only these routes take a body: nothing else parses one.
    router.post(path, jsonBody('16kb'), async (req, res) => {
      const entityRef = scope(req);
      const credentials = await authorizer.authorize(req, manage, entityRef);
      const { subjectRef, role } = parseInput(
        newAssignment,
        req.body,
        'assignment',
      );
      const actorRef = actorRefOf(credentials);
      const added = await audited(
        req,
        {
          entityRef,
          actorRef,
          action: 'role-assignment-add',
          details: { subjectRef, role },
        },
        () =>
          assignments.add({ entityRef, subjectRef, role, createdBy: actorRef }),
      );
      res.status(201).json(added);
    });

    router.delete(`${path}/:id`, async (req, res) => {
      const entityRef = scope(req);
      const credentials = await authorizer.authorize(req, manage, entityRef);
      const { id } = parseInput(assignmentParams, req.params, 'assignment id');
      const removed = await audited(
        req,
        {
          entityRef,
          actorRef: actorRefOf(credentials),
          action: 'role-assignment-remove',
          details: { assignmentId: id },
          describe: gone => ({ subjectRef: gone.subjectRef, role: gone.role }),
        },
        async () => {
          const gone = await assignments.remove(entityRef, id);
          if (!gone) throw new NotFoundError(`No assignment ${id} here`);
          return gone;
        },
      );
      res.json(removed);
    });
  }

  assignmentRoutes(
    '/entities/:kind/:namespace/:name/assignments',
    req => entityRefParam(req).ref,
    opshubRoleReadPermission,
    opshubRoleManagePermission,
  );
  assignmentRoutes(
    '/org/assignments',
    () => OPSHUB_INSTALLATION_REF,
    opshubAdminPermission,
    opshubAdminPermission,
  );

  return router;
}
