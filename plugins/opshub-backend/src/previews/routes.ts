import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  opshubPreviewApprovePermission,
  opshubPreviewManagePermission,
  opshubPreviewReadPermission,
  type OpsHubPreview,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Audited } from '../activity/audited';
import { parseInput } from '../http/validation';
import type { JobEnqueuer } from '../queue/types';
import {
  actorRefOf,
  type OpsHubPermission,
  type ProjectAuthorizer,
} from '../rbac/ProjectAuthorizer';
import {
  BUILD_PREVIEW,
  DESTROY_PREVIEW,
  type PreviewIdPayload,
} from './previewJobHandlers';
import { previewGroup } from './previewJobGroups';
import type { Preview, PreviewState, PreviewStore } from './PreviewStore';

const listQuery = z.object({
  entityRef: z
    .string()
    .min(3)
    .max(600)
    .transform((ref, ctx) => {
      try {
        return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase(
          'en-US',
        );
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not an entity ref' });
        return z.NEVER;
      }
    }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const previewParams = z.object({
  previewId: z.string().regex(/^\d{1,18}$/, 'not a preview id'),
});

/** Previews a redeploy may start over; a fork's waits for approval. */
const REDEPLOYABLE: PreviewState[] = [
  'ready',
  'failed',
  'destroyed',
  'expired',
];

/** A preview as the API shows it. */
export function previewResponse(p: Preview): OpsHubPreview {
  return {
    id: p.id,
    entityRef: p.entityRef,
    prNumber: p.prNumber,
    title: p.title,
    branch: p.branch,
    headSha: p.headSha,
    author: p.author,
    fromFork: p.fromFork,
    provider: p.provider,
    state: p.state,
    url: p.url,
    errorClass: p.errorClass,
    errorMessage: p.errorMessage,
    approvedBy: p.approvedBy,
    closedAs: p.closedAs,
    envVarCount: p.envVarCount,
    envPushedAt: p.envPushedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    expiresAt: p.expiresAt.toISOString(),
  };
}

/**
 * The preview API: list an entity's previews, read one, redeploy, approve
 * (fork PRs) and destroy; each authorizes on the preview's entity.
 */
export function previewRoutes(deps: {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  previews: PreviewStore;
  queue: JobEnqueuer;
  knex: Knex;
  /**
   * A preview changed (committed): open pages of its entity hear of it, and
   * GitHub is brought in line when write-back is on.
   */
  notify(preview: { id: string; entityRef: string }): void;
}) {
  const { authorizer, audited, previews } = deps;
  const router = Router();

  /**
   * The preview of `:previewId` and the caller, allowed `permission` on it.
   * A preview the caller may not read is a 404 like an unknown id, so ids
   * tell nothing of other projects; one they may read but not change, 403.
   */
  async function previewFor(req: Request, permission: OpsHubPermission) {
    const credentials = await authorizer.caller(req);
    const { previewId } = parseInput(previewParams, req.params, 'preview id');
    const notFound = new NotFoundError(`No preview ${previewId}`);
    const preview = await previews.get(previewId);
    if (!preview) throw notFound;
    const {
      allowed: [mayRead, mayDo],
    } = await authorizer.decide(
      credentials,
      [opshubPreviewReadPermission, permission],
      preview.entityRef,
    );
    if (!mayRead) throw notFound;
    authorizer.require(mayDo, permission);
    return { preview, actorRef: actorRefOf(credentials) };
  }

  router.get('/previews', async (req, res) => {
    await authorizer.caller(req);
    const { entityRef, limit } = parseInput(listQuery, req.query, 'query');
    await authorizer.authorize(req, opshubPreviewReadPermission, entityRef);
    const items = await previews.list(entityRef, limit);
    res.json({ items: items.map(previewResponse) });
  });

  router.get('/previews/:previewId', async (req, res) => {
    const { preview } = await previewFor(req, opshubPreviewReadPermission);
    res.json(previewResponse(preview));
  });

  /**
   * The mutations: each changes the preview's state and queues the job that
   * acts on it, in one transaction; a preview in the wrong state is a 409.
   */
  const mutations: Array<{
    method: 'post' | 'delete';
    path: string;
    permission: OpsHubPermission;
    action: string;
    job: string;
    apply(
      trx: Knex.Transaction,
      preview: Preview,
      actorRef: string,
    ): Promise<boolean>;
    refusal: string;
  }> = [
    {
      method: 'post',
      path: '/previews/:previewId/redeploy',
      permission: opshubPreviewManagePermission,
      action: 'preview-redeploy',
      job: BUILD_PREVIEW,
      apply: (trx, preview) => previews.requeue(trx, preview.id, REDEPLOYABLE),
      refusal: 'only a ready, failed or torn-down preview is redeployed',
    },
    {
      method: 'post',
      path: '/previews/:previewId/approve',
      permission: opshubPreviewApprovePermission,
      action: 'preview-approve',
      job: BUILD_PREVIEW,
      apply: (trx, preview, actorRef) =>
        previews.requeue(trx, preview.id, ['awaiting-approval'], {
          by: actorRef,
          sha: preview.headSha,
        }),
      refusal: 'only a preview awaiting approval is approved',
    },
    {
      method: 'delete',
      path: '/previews/:previewId',
      permission: opshubPreviewManagePermission,
      action: 'preview-destroy',
      job: DESTROY_PREVIEW,
      apply: async (_trx, preview) =>
        preview.state !== 'destroyed' && preview.state !== 'expired',
      refusal: 'it is already torn down',
    },
  ];

  for (const mutation of mutations) {
    router[mutation.method](mutation.path, async (req, res) => {
      const { preview, actorRef } = await previewFor(req, mutation.permission);
      const result = await audited(
        req,
        {
          entityRef: preview.entityRef,
          actorRef,
          action: mutation.action,
          details: {
            previewId: preview.id,
            prNumber: preview.prNumber,
            headSha: preview.headSha,
          },
        },
        async () => {
          await deps.knex.transaction(async trx => {
            if (!(await mutation.apply(trx, preview, actorRef))) {
              throw new ConflictError(
                `Preview ${preview.id} is ${preview.state}: ${mutation.refusal}`,
              );
            }
            await deps.queue.enqueue(trx, {
              type: mutation.job,
              key: `${mutation.job}:${preview.id}`,
              group: previewGroup(preview.entityRef, preview.prNumber),
              payload: {
                previewId: preview.id,
                headSha: preview.headSha,
              } satisfies PreviewIdPayload,
            });
          });
          deps.notify(preview);
          return previewResponse((await previews.get(preview.id))!);
        },
      );
      res.status(202).json(result);
    });
  }

  return router;
}
