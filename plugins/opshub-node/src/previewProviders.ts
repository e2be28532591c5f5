import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * Why a deploy failed, from a small fixed set shared by every provider (the
 * analytics group failures by it).
 *
 * @public
 */
export type DeployErrorClass =
  | 'build'
  | 'configuration'
  | 'quota'
  | 'provider-outage'
  | 'timeout'
  | 'cancelled'
  | 'stuck'
  | 'unknown';

/**
 * What a provider is asked to deploy: one pull request's head of one
 * catalog entity.
 *
 * @public
 */
export interface PreviewSource {
  /** Full entity ref, e.g. `component:default/web`. */
  entityRef: string;
  /** The entity's annotations (provider ids such as `vercel.com/project-id`). */
  annotations: Record<string, string>;
  /** `owner/name` of the base repository. */
  repository: string;
  prNumber: number;
  /** The PR's head branch. */
  branch: string;
  headSha: string;
  /** The head lives in a fork: the deploy must not receive secrets. */
  fromFork: boolean;
}

/**
 * A deploy a provider started; `deploymentId` is the provider's own id.
 *
 * @public
 */
export interface PreviewDeployment {
  deploymentId: string;
  /** Known at once for some providers; otherwise when the deploy is ready. */
  url?: string;
}

/**
 * Where a deploy stands.
 *
 * @public
 */
export type PreviewDeploymentStatus =
  | { state: 'building' }
  | { state: 'ready'; url: string }
  | {
      state: 'failed';
      errorClass: DeployErrorClass;
      /** The provider's own error code, when it gives one. */
      errorCode?: string;
      message: string;
    };

/**
 * A preview environment provider (Vercel, Netlify, the mock, or your own).
 * Every method may be called more than once for the same deploy (jobs run at
 * least once) and must tolerate it; `destroy` of a deploy that is already
 * gone succeeds. Throw {@link PreviewProviderRateLimitedError},
 * {@link PreviewProviderTransientError} or
 * {@link PreviewProviderPermanentError} so OpsHub retries well.
 *
 * @public
 */
export interface PreviewProvider {
  /** What an entity's `opshub.dev/preview-provider` annotation names. */
  id: string;
  create(
    source: PreviewSource,
    options: { signal: AbortSignal },
  ): Promise<PreviewDeployment>;
  /**
   * The deploy of `source.headSha` for this PR that an earlier attempt
   * started, if the provider has one: OpsHub records its intent before
   * `create`, and a retry asks here first, so a crash between `create` and
   * OpsHub recording its answer neither builds twice nor leaks the deploy.
   * Teardown also asks, for intents whose answer was never recorded.
   */
  find(
    source: PreviewSource,
    options: { signal: AbortSignal },
  ): Promise<PreviewDeployment | undefined>;
  /**
   * Optional: checks that the provider project the entity's annotations name
   * (a Vercel project, a Netlify site) is linked to `source.repository`, and
   * throws {@link PreviewProviderPermanentError} with error class
   * `configuration` and a message naming the repository it is linked to
   * when it is not. OpsHub asks before an entity's first build and again
   * whenever its annotations change; a provider without the notion of a
   * linked repository leaves it out.
   */
  checkRepository?(
    source: PreviewSource,
    options: { signal: AbortSignal },
  ): Promise<void>;
  status(
    deployment: PreviewDeployment & { source: PreviewSource },
    options: { signal: AbortSignal },
  ): Promise<PreviewDeploymentStatus>;
  destroy(
    deployment: PreviewDeployment & { source: PreviewSource },
    options: { signal: AbortSignal },
  ): Promise<void>;
}

/**
 * The provider refused for now; try again after `retryAfterMs`.
 *
 * @public
 */
export class PreviewProviderRateLimitedError extends Error {
  readonly name = 'PreviewProviderRateLimitedError';
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/**
 * A failure worth retrying with backoff (5xx, timeouts, network errors).
 *
 * @public
 */
export class PreviewProviderTransientError extends Error {
  readonly name = 'PreviewProviderTransientError';
}

/**
 * A failure no retry fixes (bad credentials, unknown project).
 *
 * @public
 */
export class PreviewProviderPermanentError extends Error {
  readonly name = 'PreviewProviderPermanentError';
  constructor(
    message: string,
    readonly errorClass: DeployErrorClass = 'configuration',
  ) {
    super(message);
  }
}

/**
 * Lets backend modules add preview providers.
 *
 * @public
 */
export interface OpsHubPreviewProvidersExtensionPoint {
  addProvider(...providers: PreviewProvider[]): void;
}

/**
 * Extension point for {@link OpsHubPreviewProvidersExtensionPoint}.
 *
 * @public
 */
export const opshubPreviewProvidersExtensionPoint =
  createExtensionPoint<OpsHubPreviewProvidersExtensionPoint>({
    id: 'opshub.previewProviders',
  });
