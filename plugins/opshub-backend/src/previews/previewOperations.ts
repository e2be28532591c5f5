import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  opshubPreviewApprovePermission,
  opshubPreviewManagePermission,
  opshubPreviewReadPermission,
  type OpsHubPreview,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Audited } from '../activity/audited';
import type { JobEnqueuer } from '../queue/types';
import {
  actorRefOf,
  type CallerCredentials,
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

/** A preview id, as routes and actions take it. */
export const PREVIEW_ID_PATTERN = /^\d{1,18}$/;

/** How many previews one list answers: at most, and without a limit. */
export const PREVIEW_LIST_LIMIT = { max: 200, default: 50 } as const;

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
 * What changing a preview does: its state moves (`apply`, false when the
 * preview is in the wrong state) and the job that acts on it is queued.
 */
interface PreviewMutation {
  permission: OpsHubPermission;
  /** The audit event and activity action. */
  action: string;
  job: string;
  apply(
    previews: PreviewStore,
    trx: Knex.Transaction,
    preview: Preview,
    actorRef: string,
  ): Promise<boolean>;
  refusal: string;
}

export const PREVIEW_MUTATIONS = {
  redeploy: {
    permission: opshubPreviewManagePermission,
    action: 'preview-redeploy',
    job: BUILD_PREVIEW,
    apply: (previews, trx, preview) =>
      previews.requeue(trx, preview.id, REDEPLOYABLE),
    refusal: 'only a ready, failed or torn-down preview is redeployed',
  },
  approve: {
    permission: opshubPreviewApprovePermission,
    action: 'preview-approve',
    job: BUILD_PREVIEW,
    apply: (previews, trx, preview, actorRef) =>
      previews.requeue(trx, preview.id, ['awaiting-approval'], {
        by: actorRef,
        sha: preview.headSha,
      }),
    refusal: 'only a preview awaiting approval is approved',
  },
  destroy: {
    permission: opshubPreviewManagePermission,
    action: 'preview-destroy',
    job: DESTROY_PREVIEW,
    // A destroy already queued is replaced by this one (same job key).
    apply: async (_previews, _trx, preview) =>
      preview.state !== 'destroyed' && preview.state !== 'expired',
    refusal: 'it is already torn down',
  },
} satisfies Record<string, PreviewMutation>;

export type PreviewMutationName = keyof typeof PREVIEW_MUTATIONS;

export interface PreviewOperationsDeps {
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
}

/**
 * What the preview routes and OpsHub's actions do with previews, on the
 * caller's credentials: list an entity's, read one, and change one.
 */
export function previewOperations(deps: PreviewOperationsDeps) {
  const { authorizer, audited, previews } = deps;

  /**
   * The preview `previewId` and the caller, allowed `permission` on it. A
   * preview the caller may not read is not found, like an unknown id, so
   * ids tell nothing of other projects; one they may read but not change is
   * NotAllowed.
   */
  async function previewFor(
    credentials: CallerCredentials,
    previewId: string,
    permission: OpsHubPermission,
  ) {
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
    return preview;
  }

  return {
    /** An entity's previews, newest first (`opshub.preview.read` on it). */
    async list(
      credentials: CallerCredentials,
      entityRef: string,
      limit: number,
    ): Promise<OpsHubPreview[]> {
      await authorizer.authorizeCredentials(
        credentials,
        opshubPreviewReadPermission,
        entityRef,
      );
      return (await previews.list(entityRef, limit)).map(previewResponse);
    },

    /** One preview (`opshub.preview.read` on its entity). */
    async get(
      credentials: CallerCredentials,
      previewId: string,
    ): Promise<OpsHubPreview> {
      return previewResponse(
        await previewFor(credentials, previewId, opshubPreviewReadPermission),
      );
    },

    /**
     * Changes the preview's state and queues the job that acts on it, in
     * one transaction, audited; a preview in the wrong state is a
     * ConflictError. Answers the preview as it is then.
     */
    async mutate(
      name: PreviewMutationName,
      credentials: CallerCredentials,
      previewId: string,
      request?: Request,
    ): Promise<OpsHubPreview> {
      const mutation: PreviewMutation = PREVIEW_MUTATIONS[name];
      const preview = await previewFor(
        credentials,
        previewId,
        mutation.permission,
      );
      const actorRef = actorRefOf(credentials);
      return audited(
        request,
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
            if (!(await mutation.apply(previews, trx, preview, actorRef))) {
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
    },
  };
}
