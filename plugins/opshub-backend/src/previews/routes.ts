import { InputError } from '@backstage/errors';
import Router from 'express-promise-router';
import { z } from 'zod';
import { normalizedEntityRef } from '../http/entityRef';
import { parseInput } from '../http/validation';
import {
  PREVIEW_ID_PATTERN,
  PREVIEW_LIST_LIMIT,
  previewOperations,
  type PreviewMutationName,
  type PreviewOperationsDeps,
} from './previewOperations';

const listQuery = z.object({
  entityRef: z.string().min(3).max(600),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PREVIEW_LIST_LIMIT.max)
    .default(PREVIEW_LIST_LIMIT.default),
});
const previewParams = z.object({
  previewId: z.string().regex(PREVIEW_ID_PATTERN, 'not a preview id'),
});

/** Where each change of a preview is routed. */
const MUTATION_ROUTES: Array<{
  method: 'post' | 'delete';
  path: string;
  mutation: PreviewMutationName;
}> = [
  {
    method: 'post',
    path: '/previews/:previewId/redeploy',
    mutation: 'redeploy',
  },
  { method: 'post', path: '/previews/:previewId/approve', mutation: 'approve' },
  { method: 'delete', path: '/previews/:previewId', mutation: 'destroy' },
];

/**
 * The preview API: list an entity's previews, read one, redeploy, approve
 * (fork PRs) and destroy; each authorizes on the preview's entity. A
 * preview the caller may not read is a 404 like an unknown id; one they may
 * read but not change, 403; one in the wrong state for a change, 409.
 */
export function previewRoutes(deps: PreviewOperationsDeps) {
  const { authorizer } = deps;
  const operations = previewOperations(deps);
  const router = Router();

  const previewIdOf = (params: unknown) =>
    parseInput(previewParams, params, 'preview id').previewId;

  router.get('/previews', async (req, res) => {
    const credentials = await authorizer.caller(req);
    const query = parseInput(listQuery, req.query, 'query');
    const entityRef = normalizedEntityRef(query.entityRef);
    if (entityRef === undefined) {
      throw new InputError('Invalid query: entityRef: not an entity ref');
    }
    res.json({
      items: await operations.list(credentials, entityRef, query.limit),
    });
  });

  router.get('/previews/:previewId', async (req, res) => {
    const credentials = await authorizer.caller(req);
    res.json(await operations.get(credentials, previewIdOf(req.params)));
  });

  for (const route of MUTATION_ROUTES) {
    router[route.method](route.path, async (req, res) => {
      const credentials = await authorizer.caller(req);
      const changed = await operations.mutate(
        route.mutation,
        credentials,
        previewIdOf(req.params),
        req,
      );
      res.status(202).json(changed);
    });
  }

  return router;
}
