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
 * One environment variable a preview builds with: the entity's `preview`
 * value, or the PR branch's override of it. `value` is plaintext, in memory
 * only: never log it, never put it in an error message.
 *
 * @public
 */
export interface PreviewVariable {
  name: string;
  value: string;
  sensitive: boolean;
}

/**
 * What a provider holds for one pushed variable of a preview branch, so
 * OpsHub can update or remove exactly that later (and nothing it did not
 * create): the provider's own id for it (a Vercel env id, a Netlify value
 * id), and whatever else the provider needs, as text.
 *
 * @public
 */
export interface PushedVariable {
  name: string;
  providerId: string;
  /** Provider-specific detail, e.g. whether OpsHub created the whole key. */
  detail?: string;
}

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
  /**
   * Optional: makes the variables of the PR's branch (`source.branch`, the
   * provider's branch-specific preview scope) exactly `variables`. `pushed`
   * is what the previous call returned for this preview: variables in it
   * but not in `variables` are removed; nothing else at the provider is
   * touched. Returns what it holds now. OpsHub calls it before each build
   * (never for a fork's PR) and with no variables at teardown. Throw
   * {@link PreviewProviderPermanentError} (`configuration`) naming the
   * variable or call the provider refused, never a value.
   */
  syncEnvironment?(
    source: PreviewSource,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
    options: { signal: AbortSignal },
  ): Promise<PushedVariable[]>;
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
