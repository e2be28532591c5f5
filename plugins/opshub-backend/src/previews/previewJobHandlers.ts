import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  isOpenPreviewState,
  OPSHUB_PREVIEW_STATES,
} from '@opshub/plugin-opshub-common';
import type { PreviewProvider } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import { OPSHUB_DEPLOY_ERROR_CODES } from '../analytics/taxonomy/deployErrorTaxonomy';
import type { EnvVarCipher } from '../envvars/EnvVarCipher';
import type { EnvVarStore } from '../envvars/EnvVarStore';
import type { ProjectStore } from '../projects/ProjectStore';
import type { JobEnqueuer, JobHandler } from '../queue/types';
import type { PreviewJobPayload } from '../webhooks/planDelivery';
import {
  callProvider,
  type CheckPreviewPayload,
  destroyDeploy,
  type DestroyDeployPayload,
  endBuild,
  providerOf,
  refuse,
  sourceOf,
  startBuild,
  supersedeOlderDeploys,
  tearDown,
} from './previewDeployCalls';
import type { PreviewDeploys } from './PreviewDeploys';
import type { PreviewEnvPushes } from './PreviewEnvPushes';
import type { ProviderRepositoryChecks } from './ProviderRepositoryChecks';
import {
  decidePreview,
  type PreviewRules,
  rulesForEntity,
} from './previewRules';
import type { PreviewStore } from './PreviewStore';

export {
  CHECK_PREVIEW,
  type CheckPreviewPayload,
  DESTROY_DEPLOY,
} from './previewDeployCalls';
export const CREATE_PREVIEW = 'create-preview';
export const TEARDOWN_PREVIEW = 'teardown-preview';
export const BUILD_PREVIEW = 'build-preview';
export const DESTROY_PREVIEW = 'destroy-preview';

/** What the team hears of (Slack). */
export type PreviewEvent = 'ready' | 'failed' | 'torn-down';

export interface PreviewJobDeps {
  knex: Knex;
  previews: PreviewStore;
  deploys: PreviewDeploys;
  /** Provider projects found linked to their entity's repository. */
  repositoryChecks: ProviderRepositoryChecks;
  projects: ProjectStore;
  /** The entities' environment variables (sealed) and their cipher. */
  envVars: EnvVarStore;
  cipher: EnvVarCipher;
  /** What each preview's last push of its variables left at the provider. */
  envPushes: PreviewEnvPushes;
  providers: ReadonlyMap<string, PreviewProvider>;
  /** The entity's annotations from the catalog; undefined if it is gone. */
  annotationsOf(entityRef: string): Promise<Record<string, string> | undefined>;
  queue: JobEnqueuer;
  rules: PreviewRules;
  /**
   * A preview changed (committed): open pages of its entity hear of it, and
   * GitHub is brought in line when write-back is on.
   */
  notify(preview: { id: string; entityRef: string }): void;
  /**
   * A preview became ready, failed or was torn down; `transition` names
   * that change of that preview (e.g. `ready#3` for build 3), so a message
   * about it is sent once however often it is announced.
   */
  announce(previewId: string, event: PreviewEvent, transition: string): void;
  /** How often a running build is looked at. */
  checkIntervalMs: number;
  /** A build still running after this long fails as `timeout`. */
  buildTimeoutMs: number;
  logger: LoggerService;
}

/**
 * create-preview: applies the entity's rules to a PR event and starts a
 * build of its head (or waits, holds a fork for approval, or tears down).
 */
export function createPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewJobPayload> {
  const teardown = teardownPreviewHandler(deps);
  return async context => {
    const { job, signal } = context;
    // Planned as a teardown since, but queued before that: never builds.
    if (job.payload.pullRequest.state === 'closed') {
      await teardown(context);
      return;
    }
    const { entityRef, repository, pullRequest: pr } = job.payload;
    const project = await deps.projects.getProject(entityRef);
    // No longer tracked, names no preview provider, or its claim on the
    // repository is not verified (queued before the binding was revoked).
    if (!project?.previewProvider || !project.verifiedBy) return;
    const annotations = (await deps.annotationsOf(entityRef)) ?? {};
    const rules = rulesForEntity(deps.rules, annotations);
    const existing = await deps.previews.find(entityRef, pr.number);
    const decision = decidePreview(rules, pr, existing?.approvedSha ?? null);
    if (decision.action === 'wait') return;
    const prUpdatedAt = new Date(pr.updatedAt);
    if (decision.action === 'teardown') {
      if (existing) {
        await tearDown(deps, existing, signal, {
          reason: 'skip-rule',
          prUpdatedAt,
        });
      }
      return;
    }
    const provider = providerOf(deps, project.previewProvider);
    const preview = await deps.knex.transaction(async trx => {
      const recorded = await deps.previews.recordHead(trx, {
        entityRef,
        prNumber: pr.number,
        repository,
        title: pr.title,
        branch: pr.headRef,
        headSha: pr.headSha,
        author: pr.author,
        fromFork: pr.fromFork,
        provider: provider.id,
        prUpdatedAt,
        state: decision.action === 'build' ? 'queued' : 'awaiting-approval',
        ttlMs: rules.ttlMs,
      });
      if (recorded) await supersedeOlderDeploys(deps, trx, recorded);
      return recorded;
    });
    if (preview) deps.notify(preview);
    // An older event than one applied, nothing new to build, or kept down.
    if (preview?.state !== 'queued') return;
    // A soft cap: two PRs queued at the same moment may both pass it.
    const live = await deps.previews.countLive(entityRef, pr.number);
    if (live >= rules.maxLive) {
      const why = `${entityRef} has ${live} live previews, as many as it may have (opshub.previews.maxLive, or the opshub.dev/preview-max-live annotation); close a PR or raise the limit`;
      await refuse(deps, preview, job, {
        errorClass: 'quota',
        errorCode: OPSHUB_DEPLOY_ERROR_CODES.liveLimit,
        message: why,
      });
      return;
    }
    await startBuild(deps, preview, annotations, job, signal, project);
  };
}

/** check-preview: follows a build by rescheduling itself until it ends. */
export function checkPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<CheckPreviewPayload> {
  return async ({ job, signal }) => {
    const { previewId, headSha, startedAt } = job.payload;
    const preview = await deps.previews.get(previewId);
    // Superseded by a newer head, torn down, or already settled.
    if (
      preview?.headSha !== headSha ||
      preview.state !== 'building' ||
      !preview.deploymentId
    ) {
      return undefined;
    }
    const provider = providerOf(deps, preview.provider);
    const source = sourceOf(
      preview,
      (await deps.annotationsOf(preview.entityRef)) ?? {},
    );
    const status = await callProvider(
      () =>
        provider.status(
          {
            deploymentId: preview.deploymentId!,
            url: preview.url ?? undefined,
            source,
          },
          { signal },
        ),
      { job, fail: failure => endBuild(deps, preview, failure) },
    );
    if (status.state === 'building') {
      if (Date.now() - startedAt < deps.buildTimeoutMs) {
        return { rescheduleInMs: deps.checkIntervalMs };
      }
      signal.throwIfAborted();
      await endBuild(deps, preview, {
        errorClass: 'timeout',
        errorCode: OPSHUB_DEPLOY_ERROR_CODES.buildTimeout,
        message: `The build did not finish within ${Math.round(
          deps.buildTimeoutMs / 60_000,
        )} minutes`,
      });
      return undefined;
    }
    signal.throwIfAborted();
    await endBuild(
      deps,
      preview,
      status.state === 'ready'
        ? { url: status.url }
        : {
            errorClass: status.errorClass,
            errorCode: status.errorCode,
            message: status.message,
          },
    );
    return undefined;
  };
}

/** A preview to build again (redeploy, approval) or to destroy (API, TTL). */
export interface PreviewIdPayload {
  [key: string]: unknown;
  previewId: string;
  /** build-preview: the head that was queued (for the record). */
  headSha?: string;
  /** destroy-preview: its TTL ran out (unless a push renewed it since). */
  expire?: boolean;
}

/**
 * build-preview: builds a queued preview (redeploy, approval). Whatever
 * head is queued when it runs is built: a push since queued a build of its
 * own, and the build number keeps the two from building twice.
 */
export function buildPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewIdPayload> {
  return async ({ job, signal }) => {
    const preview = await deps.previews.get(job.payload.previewId);
    if (preview?.state !== 'queued') return;
    const annotations = (await deps.annotationsOf(preview.entityRef)) ?? {};
    await startBuild(deps, preview, annotations, job, signal);
  };
}

/** destroy-preview: destroyed through the API, or expired (TTL sweep). */
export function destroyPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewIdPayload> {
  return async ({ job, signal }) => {
    const preview = await deps.previews.get(job.payload.previewId);
    if (!preview) return;
    await tearDown(
      deps,
      preview,
      signal,
      job.payload.expire
        ? { reason: 'expired', expiredBy: new Date() }
        : { reason: 'destroyed' },
    );
  };
}

/** teardown-preview: the PR closed; its preview goes. */
export function teardownPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewJobPayload> {
  return async ({ job, signal }) => {
    const { entityRef, pullRequest: pr } = job.payload;
    const prUpdatedAt = new Date(pr.updatedAt);
    const preview = await deps.previews.find(entityRef, pr.number);
    if (!preview) {
      // Its `opened` may still be on its way (deliveries come in any order):
      // remembered, so it builds nothing once it arrives.
      await deps.previews.recordClose(entityRef, pr.number, prUpdatedAt);
      return;
    }
    await tearDown(deps, preview, signal, {
      reason: 'pr-closed',
      closedAs: pr.merged ? 'merged' : 'closed',
      prUpdatedAt,
    });
  };
}

/** States in which a deploy of the preview's own build is in use. */
const IN_USE = OPSHUB_PREVIEW_STATES.filter(
  state => isOpenPreviewState(state) && state !== 'awaiting-approval',
);

/**
 * destroy-deploy: removes a deploy that is no longer its preview's (an
 * earlier head or build, or one created after the preview moved on).
 */
export function destroyDeployHandler(
  deps: PreviewJobDeps,
): JobHandler<DestroyDeployPayload> {
  return async ({ job, signal }) => {
    const deploy = await deps.deploys.get(job.payload.deployId);
    if (!deploy || deploy.state === 'destroyed') return;
    const preview = (await deps.previews.get(deploy.previewId))!;
    const current =
      deploy.buildNumber === preview.buildNumber &&
      IN_USE.includes(preview.state);
    if (current) return;
    const annotations = (await deps.annotationsOf(preview.entityRef)) ?? {};
    await destroyDeploy(deps, preview, deploy, annotations, signal);
  };
}
