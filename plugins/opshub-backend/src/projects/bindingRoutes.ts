import {
  OPSHUB_INSTALLATION_REF,
  opshubAdminPermission,
} from '@opshub/plugin-opshub-common';
import Router from 'express-promise-router';
import { jsonBody } from '../http/bodyParsers';
import { z } from 'zod';
import type { Audited } from '../activity/audited';
import { entityRefParam } from '../http/entityRef';
import { parseInput } from '../http/validation';
import { actorRefOf, type ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { RepositoryBindings } from './RepositoryBindings';

const listQuery = z.object({
  verified: z
    .enum(['true', 'false'])
    .transform(value => value === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  after: z.string().max(600).optional(),
});
const approveBody = z
  .object({
    repository: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name')
      .optional(),
  })
  .strict();

/**
 * Repository bindings (`opshub.admin`, on the installation): the list, with
 * why each unverified one is not, and an org owner's approval and its
 * revocation, both audited.
 */
export function bindingRoutes(deps: {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  bindings: RepositoryBindings;
}) {
  const { authorizer, audited, bindings } = deps;
  const router = Router();

  router.get('/org/bindings', async (req, res) => {
    await authorizer.authorize(req, opshubAdminPermission);
    const query = parseInput(listQuery, req.query, 'query');
    res.json({ items: await bindings.list(query) });
  });

  const path = '/org/bindings/:kind/:namespace/:name';
  router.put(path, jsonBody('16kb'), async (req, res) => {
    const { kind, namespace, name, ref } = entityRefParam(req);
    const credentials = await authorizer.authorize(req, opshubAdminPermission);
    const { repository } = parseInput(approveBody, req.body ?? {}, 'binding');
    const actorRef = actorRefOf(credentials);
    const binding = await audited(
      req,
      {
        entityRef: OPSHUB_INSTALLATION_REF,
        actorRef,
        action: 'binding-approve',
        details: { project: ref, ...(repository ? { repository } : {}) },
        describe: b => ({ repository: b.repository, verifiedBy: b.verifiedBy }),
      },
      () => bindings.approve({ kind, namespace, name }, repository, actorRef),
    );
    res.json(binding);
  });

  router.delete(path, async (req, res) => {
    const { kind, namespace, name, ref } = entityRefParam(req);
    const credentials = await authorizer.authorize(req, opshubAdminPermission);
    const binding = await audited(
      req,
      {
        entityRef: OPSHUB_INSTALLATION_REF,
        actorRef: actorRefOf(credentials),
        action: 'binding-revoke',
        details: { project: ref },
        describe: b => ({
          repository: b.repository,
          verified: b.verified,
          verifiedBy: b.verifiedBy,
        }),
      },
      () => bindings.revoke({ kind, namespace, name }),
    );
    res.json(binding);
  });

  return router;
}
