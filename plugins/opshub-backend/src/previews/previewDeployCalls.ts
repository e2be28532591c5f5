import {
  type DeployErrorClass,
  isCallTimeout,
  type PreviewDeployment,
  type PreviewProvider,
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  type PreviewSource,
  type PreviewVariable,
} from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import { openVariables, previewVariablesOf } from '../envvars/previewVariables';
import { JobPermanentError, JobRetryLaterError } from '../queue/errors';
import type { TrackedProject } from '../projects/ProjectStore';
import type { Job } from '../queue/types';
import type { PreviewJobDeps } from './previewJobHandlers';
import { previewGroup } from './previewJobGroups';
import type { PreviewDeploy } from './PreviewDeploys';
import { ProviderRepositoryChecks } from './ProviderRepositoryChecks';
import type { BuildFailure, Preview, Teardown } from './PreviewStore';

/*
 * The provider calls of a preview's jobs and what OpsHub records around
 * them: every deploy is recorded as an intent before it is created, and
 * every deploy that is no longer the preview's is destroyed through a job.
 */

export const CHECK_PREVIEW = 'check-preview';
export const DESTROY_DEPLOY = 'destroy-deploy';

export interface CheckPreviewPayload {
  [key: string]: unknown;
  previewId: string;
  headSha: string;
  /** When the build started (epoch ms): the build timeout counts from it. */
  startedAt: number;
}

export interface DestroyDeployPayload {
  [key: string]: unknown;
  deployId: string;
}

/**
 * Starts the build of a queued preview. The intent (preview, build number,
 * head) is recorded first; a repeated attempt asks the provider for the
 * deploy an earlier one may have created before creating one.
 */
export async function startBuild(
  deps: PreviewJobDeps,
  preview: Preview,
  annotations: Record<string, string>,
  job: Job,
  signal: AbortSignal,
  /** The entity's project, when the caller has just read it. */
  known?: TrackedProject,
): Promise<void> {
  const project = known ?? (await deps.projects.getProject(preview.entityRef));
  if (
    !project?.verifiedBy ||
    project.repoSlug !== preview.repository.toLowerCase()
  ) {
    // A redeploy or approval of a preview whose entity lost its binding.
    await refuse(deps, preview, job, {
      errorClass: 'configuration',
      message: `${preview.entityRef}'s claim on ${preview.repository} is not verified: OpsHub builds nothing for it until it is (see its OpsHub tab)`,
    });
    return;
  }
  const provider = providerOf(deps, preview.provider);
  const source = sourceOf(preview, annotations);
  await checkRepository(deps, provider, source, job, preview, signal);
  await pushEnvironment(deps, provider, source, job, preview, signal);
  const { deploy, repeated } = await deps.knex.transaction(async trx => {
    const intent = await deps.deploys.intend(trx, {
      previewId: preview.id,
      buildNumber: preview.buildNumber,
      headSha: preview.headSha,
      provider: provider.id,
    });
    await supersedeOlderDeploys(deps, trx, preview);
    return intent;
  });
  const deployment = await callProvider(
    async () =>
      (repeated &&
        (await findUnrecorded(deps, provider, source, preview.id, signal))) ||
      provider.create(source, { signal }),
    { job, fail: failure => refuse(deps, preview, job, failure) },
  );
  signal.throwIfAborted();
  const group = previewGroup(preview.entityRef, preview.prNumber);
  const started = await deps.knex.transaction(async trx => {
    await deps.deploys.created(trx, deploy.id, deployment.deploymentId);
    const recorded = await deps.previews.startBuild(trx, {
      previewId: preview.id,
      headSha: preview.headSha,
      buildNumber: preview.buildNumber,
      deploymentId: deployment.deploymentId,
      url: deployment.url,
      queuedAt: job.createdAt,
    });
    await deps.queue.enqueue(
      trx,
      recorded
        ? {
            type: CHECK_PREVIEW,
            key: `${CHECK_PREVIEW}:${preview.id}`,
            group,
            payload: {
              previewId: preview.id,
              headSha: preview.headSha,
              startedAt: Date.now(),
            } satisfies CheckPreviewPayload,
            // The first look at once: a build may be ready (or refused) as
            // soon as it is created; later looks come every checkInterval.
          }
        : // A newer head or a teardown came first: this deploy is nobody's.
          destroyDeployJob(preview, deploy.id),
    );
    return recorded;
  });
  if (started) deps.notify(preview);
}

/**
 * The provider project the entity names must be linked to the PR's
 * repository (else one team's entity could build in, and tear down deploys
 * of, another team's project). Asked before the entity's first build and
 * whenever its annotations or repository change; a refusal fails the
 * preview as `configuration`.
 */
async function checkRepository(
  deps: PreviewJobDeps,
  provider: PreviewProvider,
  source: PreviewSource,
  job: Job,
  preview: Preview,
  signal: AbortSignal,
): Promise<void> {
  if (!provider.checkRepository) return;
  const fingerprint = ProviderRepositoryChecks.fingerprint(
    source.repository,
    source.annotations,
  );
  const checks = deps.repositoryChecks;
  if (await checks.passed(source.entityRef, provider.id, fingerprint)) return;
  await callProvider(() => provider.checkRepository!(source, { signal }), {
    job,
    fail: failure => refuse(deps, preview, job, failure),
  });
  await checks.recordPassed(source.entityRef, provider.id, fingerprint);
}

/**
 * Makes the provider's variables of the PR's branch the preview's: the
 * `preview` environment's values overlaid by the branch's overrides,
 * opened only in memory and handed to `syncEnvironment` with what the last
 * push returned (so removed ones go, and nothing OpsHub did not create is
 * touched). A fork's PR gets none. A refusal fails the preview as
 * `configuration`, a last failed attempt as `provider-outage`, with a
 * message naming the variable or call, never a value.
 */
async function pushEnvironment(
  deps: PreviewJobDeps,
  provider: PreviewProvider,
  source: PreviewSource,
  job: Job,
  preview: Preview,
  signal: AbortSignal,
): Promise<void> {
  if (!provider.syncEnvironment || preview.fromFork) return;
  const sealed = await previewVariablesOf(
    deps.envVars,
    preview.entityRef,
    preview.branch,
  );
  const pushed = await deps.envPushes.pushed(preview.id);
  if (sealed.length === 0 && pushed.length === 0) {
    // Nothing to push (with or without a key configured): built with none.
    await deps.envPushes.recordNone(preview.id);
    return;
  }
  let variables: PreviewVariable[];
  try {
    variables = await openVariables(deps.cipher, sealed);
  } catch (error) {
    const message = `Could not push the preview variables of ${
      preview.entityRef
    } to ${provider.id}: ${(error as Error).message}`;
    await refuse(deps, preview, job, { errorClass: 'configuration', message });
    throw new JobPermanentError(message);
  }
  const holds = await callProvider(
    () => provider.syncEnvironment!(source, variables, pushed, { signal }),
    { job, fail: failure => refuse(deps, preview, job, failure) },
  );
  signal.throwIfAborted();
  await deps.envPushes.record(preview.id, holds, variables.length);
}

/**
 * Removes every variable OpsHub pushed for the preview's branch (teardown).
 * A provider that refuses (say, the entity lost its project annotation)
 * leaves the preview to go down anyway: the refusal is logged.
 */
async function removeEnvironment(
  deps: PreviewJobDeps,
  preview: Preview,
  annotations: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const pushed = await deps.envPushes.pushed(preview.id);
  if (pushed.length === 0) return;
  // A provider no longer installed holds whatever it holds; nothing to ask.
  const provider = deps.providers.get(preview.provider);
  if (provider?.syncEnvironment) {
    const source = sourceOf(preview, annotations);
    await callProvider(() =>
      provider.syncEnvironment!(source, [], pushed, { signal }).catch(error => {
        if (!(error instanceof PreviewProviderPermanentError)) throw error;
        deps.logger.warn(
          `Could not remove the preview variables of ${preview.entityRef}#${preview.prNumber} from ${provider.id}: ${error.message}`,
        );
        return [];
      }),
    );
  }
  signal.throwIfAborted();
  await deps.envPushes.clear(preview.id);
}

/**
 * Queues destroy-deploy for each deploy of an earlier build of the preview
 * (a new head, a redeploy): none is left running unowned.
 */
export async function supersedeOlderDeploys(
  deps: PreviewJobDeps,
  trx: Knex.Transaction,
  preview: Preview,
): Promise<void> {
  for (const deploy of await deps.deploys.standing(preview.id, trx)) {
    if (deploy.buildNumber >= preview.buildNumber) continue;
    await deps.queue.enqueue(trx, destroyDeployJob(preview, deploy.id));
  }
}

function destroyDeployJob(preview: Preview, deployId: string) {
  return {
    type: DESTROY_DEPLOY,
    key: `${DESTROY_DEPLOY}:${deployId}`,
    group: previewGroup(preview.entityRef, preview.prNumber),
    payload: { deployId } satisfies DestroyDeployPayload,
  };
}

/**
 * Takes a preview down: every deploy OpsHub made for it is destroyed, then
 * it is destroyed (or expired) and the team hears of it once.
 */
export async function tearDown(
  deps: PreviewJobDeps,
  preview: Preview,
  signal: AbortSignal,
  teardown: Teardown,
): Promise<void> {
  if (!(await deps.previews.beginTeardown(preview.id, teardown))) return;
  deps.notify(preview);
  const annotations = (await deps.annotationsOf(preview.entityRef)) ?? {};
  for (const deploy of await deps.deploys.standing(preview.id)) {
    await destroyDeploy(deps, preview, deploy, annotations, signal);
  }
  await removeEnvironment(deps, preview, annotations, signal);
  signal.throwIfAborted();
  const ended = await deps.previews.finishTeardown(
    preview.id,
    teardown.reason === 'expired' ? 'expired' : 'destroyed',
  );
  deps.notify(preview);
  if (ended) {
    deps.announce(preview.id, 'torn-down', `torn-down#${preview.buildNumber}`);
  }
}

/**
 * Destroys one deploy of a preview; an intent whose answer was never
 * recorded is looked up at the provider first (it may not exist at all).
 */
export async function destroyDeploy(
  deps: PreviewJobDeps,
  preview: Preview,
  deploy: PreviewDeploy,
  annotations: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const provider = providerOf(deps, deploy.provider);
  const source = { ...sourceOf(preview, annotations), headSha: deploy.headSha };
  const deploymentId =
    deploy.deploymentId ??
    (
      await callProvider(() =>
        findUnrecorded(deps, provider, source, preview.id, signal).catch(
          error => {
            // A provider that refuses to look (say, the entity lost its
            // project annotation) cannot have built it with what it refuses.
            if (!(error instanceof PreviewProviderPermanentError)) throw error;
            deps.logger.warn(
              `Could not look for an unrecorded ${provider.id} deploy of ${preview.entityRef}#${preview.prNumber}: ${error.message}`,
            );
            return undefined;
          },
        ),
      )
    )?.deploymentId;
  if (deploymentId) {
    await callProvider(() =>
      provider.destroy({ deploymentId, source }, { signal }),
    );
  }
  signal.throwIfAborted();
  await deps.deploys.destroyed(deploy.id);
}

/** The provider's deploy of `source` if OpsHub has not recorded it. */
async function findUnrecorded(
  deps: PreviewJobDeps,
  provider: PreviewProvider,
  source: PreviewSource,
  previewId: string,
  signal: AbortSignal,
): Promise<PreviewDeployment | undefined> {
  const found = await provider.find(source, { signal });
  if (!found) return undefined;
  const recorded = await deps.deploys.deploymentIds(previewId);
  return recorded.has(found.deploymentId) ? undefined : found;
}

/**
 * Records how the build of the preview's head ended (ready with its URL, or
 * failed) and tells of it: open pages always, the team once.
 */
export async function endBuild(
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
  if (ended) {
    const event = 'url' in end ? 'ready' : 'failed';
    deps.announce(preview.id, event, `${event}#${preview.buildNumber}`);
  }
}

/** A queued preview whose build could not start fails, once. */
export async function refuse(
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
    deps.announce(preview.id, 'failed', `failed#${preview.buildNumber}`);
  }
}

export function providerOf(
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

export function sourceOf(
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
 * Calls the provider and maps its typed errors to the queue's. For a build,
 * a failure that ends it (the provider refused for good, or the job's last
 * attempt failed) is first handed to `build.fail`, so the preview shows it
 * instead of waiting on a dead job.
 */
export async function callProvider<T>(
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
  const errorClass = (): DeployErrorClass => {
    if (error instanceof PreviewProviderRateLimitedError) return 'quota';
    return isCallTimeout(error) ? 'timeout' : 'provider-outage';
  };
  return {
    errorClass: errorClass(),
    message: error instanceof Error ? error.message : String(error),
  };
}
