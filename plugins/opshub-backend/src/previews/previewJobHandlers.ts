import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  type PreviewDeployment,
  type PreviewProvider,
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  type PreviewSource,
} from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import type { ProjectStore } from '../projects/ProjectStore';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import type { Job, JobEnqueuer, JobHandler } from '../queue/types';
import type { PreviewJobPayload } from '../webhooks/planDelivery';
import {
  decidePreview,
  type PreviewRules,
  rulesForEntity,
} from './previewRules';
import type { BuildFailure, Preview, PreviewStore } from './PreviewStore';

export const CHECK_PREVIEW = 'check-preview';

/** What the team hears of (Slack). */
export type PreviewEvent = 'ready' | 'failed' | 'torn-down';

export interface CheckPreviewPayload {
  [key: string]: unknown;
  previewId: string;
  headSha: string;
  /** When the build started (epoch ms): the build timeout counts from it. */
  startedAt: number;
}

export interface PreviewJobDeps {
  knex: Knex;
  previews: PreviewStore;
  projects: ProjectStore;
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
  /** A preview became ready, failed or was torn down (once each). */
  announce(previewId: string, event: PreviewEvent): void;
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
  return async ({ job, signal }) => {
    const { entityRef, repository, pullRequest: pr } = job.payload;
    const project = await deps.projects.getProject(entityRef);
    // No longer tracked, or the entity names no preview provider.
    if (!project?.previewProvider) return;
    const annotations = (await deps.annotationsOf(entityRef)) ?? {};
    const rules = rulesForEntity(deps.rules, annotations);
    const existing = await deps.previews.find(entityRef, pr.number);
    const decision = decidePreview(rules, pr, existing?.approvedSha ?? null);
    if (decision.action === 'wait') return;
    if (decision.action === 'teardown') {
      if (existing) await tearDown(deps, existing, signal);
      return;
    }
    const provider = providerOf(deps, project.previewProvider);
    const preview = await deps.previews.recordHead({
      entityRef,
      prNumber: pr.number,
      repository,
      title: pr.title,
      branch: pr.headRef,
      headSha: pr.headSha,
      author: pr.author,
      fromFork: pr.fromFork,
      provider: provider.id,
      prUpdatedAt: new Date(pr.updatedAt),
      state: decision.action === 'build' ? 'queued' : 'awaiting-approval',
      ttlMs: rules.ttlMs,
    });
    if (preview) deps.notify(preview);
    // An older event than one already applied, or nothing new to build.
    if (preview?.state !== 'queued') return;
    // A soft cap: two PRs queued at the same moment may both pass it.
    const live = await deps.previews.countLive(entityRef, pr.number);
    if (live >= rules.maxLive) {
      const why = `${entityRef} has ${live} live previews, as many as it may have (opshub.previews.maxLive, or the opshub.dev/preview-max-live annotation); close a PR or raise the limit`;
      await refuse(deps, preview, job, { errorClass: 'quota', message: why });
      return;
    }
    await startBuild(deps, preview, annotations, job, signal);
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

export const BUILD_PREVIEW = 'build-preview';
export const DESTROY_PREVIEW = 'destroy-preview';

/** A preview to build again (redeploy, approval) or to destroy (API, TTL). */
export interface PreviewIdPayload {
  [key: string]: unknown;
  previewId: string;
  /** build-preview: the head that was queued; a newer one wins. */
  headSha?: string;
  /** destroy-preview: its TTL ran out (unless a push renewed it since). */
  expire?: boolean;
}

/** build-preview: builds a queued preview's head (redeploy, approval). */
export function buildPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewIdPayload> {
  return async ({ job, signal }) => {
    const preview = await deps.previews.get(job.payload.previewId);
    if (
      preview?.state !== 'queued' ||
      preview.headSha !== job.payload.headSha
    ) {
      return;
    }
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
      job.payload.expire ? { expiredBy: new Date() } : {},
    );
  };
}

/** teardown-preview: the PR closed; its preview goes. */
export function teardownPreviewHandler(
  deps: PreviewJobDeps,
): JobHandler<PreviewJobPayload> {
  return async ({ job, signal }) => {
    const { entityRef, pullRequest: pr } = job.payload;
    const preview = await deps.previews.find(entityRef, pr.number);
    if (!preview) return;
    await tearDown(deps, preview, signal, {
      closedAs: pr.merged ? 'merged' : 'closed',
    });
  };
}

async function startBuild(
  deps: PreviewJobDeps,
  preview: Preview,
  annotations: Record<string, string>,
  job: Job,
  signal: AbortSignal,
): Promise<void> {
  const provider = providerOf(deps, preview.provider);
  const source = sourceOf(preview, annotations);
  const deployment = await callProvider(
    () => provider.create(source, { signal }),
    { job, fail: failure => refuse(deps, preview, job, failure) },
  );
  signal.throwIfAborted();
  const startedAt = Date.now();
  const started = await deps.knex.transaction(async trx => {
    const recorded = await deps.previews.startBuild(trx, {
      previewId: preview.id,
      headSha: preview.headSha,
      deploymentId: deployment.deploymentId,
      url: deployment.url,
      queuedAt: job.createdAt,
    });
    if (recorded) {
      await deps.queue.enqueue(trx, {
        type: CHECK_PREVIEW,
        key: `${CHECK_PREVIEW}:${preview.id}`,
        payload: {
          previewId: preview.id,
          headSha: preview.headSha,
          startedAt,
        } satisfies CheckPreviewPayload,
        // The first look at once: a build may be ready (or refused) as soon
        // as it is created; later looks come every checkIntervalMs.
      });
    }
    return recorded;
  });
  if (started) deps.notify(preview);
  // A newer head or a teardown came first: this deploy is nobody's.
  else await destroyQuietly(deps, provider, deployment, source);
}

async function tearDown(
  deps: PreviewJobDeps,
  preview: Preview,
  signal: AbortSignal,
  options: { closedAs?: 'merged' | 'closed'; expiredBy?: Date } = {},
): Promise<void> {
  if (!(await deps.previews.beginTeardown(preview.id, options))) return;
  deps.notify(preview);
  if (preview.deploymentId) {
    const provider = providerOf(deps, preview.provider);
    const annotations = (await deps.annotationsOf(preview.entityRef)) ?? {};
    await callProvider(() =>
      provider.destroy(
        {
          deploymentId: preview.deploymentId!,
          url: preview.url ?? undefined,
          source: sourceOf(preview, annotations),
        },
        { signal },
      ),
    );
  }
  signal.throwIfAborted();
  const ended = await deps.previews.finishTeardown(
    preview.id,
    options.expiredBy ? 'expired' : 'destroyed',
  );
  deps.notify(preview);
  if (ended) deps.announce(preview.id, 'torn-down');
}

async function destroyQuietly(
  deps: PreviewJobDeps,
  provider: PreviewProvider,
  deployment: PreviewDeployment,
  source: PreviewSource,
): Promise<void> {
  try {
    await provider.destroy(
      { ...deployment, source },
      { signal: AbortSignal.timeout(30_000) },
    );
  } catch (error) {
    deps.logger.warn(
      `Could not remove superseded ${provider.id} deploy ${deployment.deploymentId} of ${source.entityRef}#${source.prNumber}: ${error}`,
    );
  }
}

function providerOf(
  deps: PreviewJobDeps,
  id: string | undefined,
): PreviewProvider {
  const provider = id ? deps.providers.get(id) : undefined;
  if (!provider) {
    throw new JobPermanentError(
      `No preview provider '${
        id ?? ''
      }' is installed (annotation opshub.dev/preview-provider)`,
    );
  }
  return provider;
}

function sourceOf(
  preview: Preview,
  annotations: Record<string, string>,
): PreviewSource {
  return {
    entityRef: preview.entityRef,
    annotations,
    repository: preview.repository,
    prNumber: preview.prNumber,
    branch: preview.branch,
    headSha: preview.headSha,
    fromFork: preview.fromFork,
  };
}

/**
 * Records how the build of the preview's head ended (ready with its URL, or
 * failed) and tells of it: open pages always, the team once.
 */
async function endBuild(
  deps: PreviewJobDeps,
  preview: Preview,
  end: { url: string } | BuildFailure,
): Promise<void> {
  const ended = await deps.previews.finishBuild(
    preview.id,
    preview.headSha,
    'url' in end
      ? { outcome: 'ready', url: end.url }
      : { outcome: 'failed', ...end },
  );
  deps.notify(preview);
  if (ended) deps.announce(preview.id, 'url' in end ? 'ready' : 'failed');
}

/** A queued preview whose build could not start fails, once. */
async function refuse(
  deps: PreviewJobDeps,
  preview: Preview,
  job: Job,
  failure: BuildFailure,
): Promise<void> {
  const refused = await deps.previews.refuse(preview.id, preview.headSha, {
    ...failure,
    queuedAt: job.createdAt,
  });
  if (refused) {
    deps.notify(preview);
    deps.announce(preview.id, 'failed');
  }
}

/**
 * Calls the provider and maps its typed errors to the queue's. For a build,
 * a failure that ends it (the provider refused for good, or the job's last
 * attempt failed) is first handed to `build.fail`, so the preview shows it
 * instead of waiting on a dead job.
 */
async function callProvider<T>(
  call: () => Promise<T>,
  build?: { job: Job; fail(failure: BuildFailure): Promise<void> },
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const ending = build && endingFailure(build.job, error);
    if (ending) await build.fail(ending);
    if (error instanceof PreviewProviderRateLimitedError) {
      throw new JobRetryLaterError(error.message, error.retryAfterMs);
    }
    if (error instanceof PreviewProviderPermanentError) {
      throw new JobPermanentError(error.message);
    }
    throw error;
  }
}

function endingFailure(job: Job, error: unknown): BuildFailure | undefined {
  if (error instanceof PreviewProviderPermanentError) {
    return { errorClass: error.errorClass, message: error.message };
  }
  if (job.attempts < job.maxAttempts) return undefined;
  return {
    errorClass:
      error instanceof PreviewProviderRateLimitedError
        ? 'quota'
        : 'provider-outage',
    message: error instanceof Error ? error.message : String(error),
  };
}
