import type { OpsHubRole } from './roles';

/**
 * A user or group holding a role on a project, or (entityRef
 * `opshub:installation`) on the whole installation. Org owners named in
 * config show with an id starting `config:` and cannot be removed through
 * the API.
 *
 * @public
 */
export interface OpsHubRoleAssignment {
  id: string;
  entityRef: string;
  subjectRef: string;
  role: OpsHubRole;
  createdBy: string;
  createdAt: string;
}

/**
 * The caller's own standing on a project:
 * `GET /entities/:kind/:namespace/:name/role`.
 *
 * @public
 */
export interface OpsHubEffectiveRole {
  entityRef: string;
  role: OpsHubRole | null;
  /** Each OpsHub permission by name, and whether the caller holds it here. */
  permissions: Record<string, boolean>;
}

/**
 * One line of a project's (or the installation's) activity log.
 *
 * @public
 */
export interface OpsHubActivity {
  id: string;
  entityRef: string;
  actorRef: string;
  action: string;
  details: Record<string, string | number | boolean | null>;
  createdAt: string;
}

/**
 * Job states of OpsHub's queue.
 *
 * @public
 */
export type OpsHubJobState =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'dead'
  | 'cancelled';

/**
 * A job of the queue, as the admin API lists it.
 *
 * @public
 */
export interface OpsHubJob {
  id: string;
  type: string;
  key: string | null;
  state: OpsHubJobState;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  errorClass: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/**
 * Jobs per type and state: `GET /queue/stats`.
 *
 * @public
 */
export interface OpsHubJobCount {
  type: string;
  state: OpsHubJobState;
  count: number;
}

/**
 * A recorded GitHub webhook delivery, without its payload.
 *
 * @public
 */
export interface OpsHubDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  receivedAt: string;
  /**
   * `unverified`: only entities whose repository binding is not verified
   * name the repository; nothing was started.
   */
  outcome: 'enqueued' | 'unmatched' | 'unverified' | 'ignored';
  jobCount: number;
  redeliveries: number;
}

/**
 * Every state a preview environment can be in.
 *
 * @public
 */
export const OPSHUB_PREVIEW_STATES = [
  'queued',
  'building',
  'ready',
  'failed',
  'awaiting-approval',
  'destroying',
  'destroyed',
  'expired',
] as const;

/**
 * Where a preview environment stands.
 *
 * @public
 */
export type OpsHubPreviewState = (typeof OPSHUB_PREVIEW_STATES)[number];

/**
 * Whether a preview is still open: it has, is getting or waits for a deploy
 * (not being or having been torn down).
 *
 * @public
 */
export function isOpenPreviewState(state: OpsHubPreviewState): boolean {
  return state !== 'destroying' && state !== 'destroyed' && state !== 'expired';
}

/**
 * A pull request's preview environment, as `GET /previews` returns it.
 *
 * @public
 */
export interface OpsHubPreview {
  id: string;
  entityRef: string;
  prNumber: number;
  title: string;
  branch: string;
  headSha: string;
  author: string;
  fromFork: boolean;
  provider: string;
  state: OpsHubPreviewState;
  url: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  approvedBy: string | null;
  closedAs: 'merged' | 'closed' | null;
  /**
   * How many environment variables its last build was pushed (the
   * `preview` environment with the branch's overrides); null when none were
   * ever pushed (a fork's PR, or a provider that takes none).
   */
  envVarCount: number | null;
  /** When those variables were pushed to the provider. */
  envPushedAt: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

/**
 * The Backstage signals channel on which the backend announces that an
 * entity's previews changed (the message carries the entity ref only).
 *
 * @public
 */
export function opshubPreviewsChannel(entityRef: string): string {
  return `opshub.previews:${entityRef.toLocaleLowerCase('en-US')}`;
}

/**
 * An environment variable as the env-var routes return it: `value` is masked
 * (`••••` plus at most its last 4 characters; nothing of short or sensitive
 * values). `branch` is a preview branch override, null for none.
 *
 * @public
 */
export interface OpsHubEnvVar {
  environment: string;
  name: string;
  branch: string | null;
  sensitive: boolean;
  /** Masked: only the reveal and export routes return plaintext. */
  value: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/**
 * One version of an environment variable (deletes included), without its
 * value: `GET .../envvars/:environment/:varName/versions`.
 *
 * @public
 */
export interface OpsHubEnvVarVersion {
  version: number;
  actor: string;
  createdAt: string;
  comment: string | null;
  deleted: boolean;
}

/**
 * What a `.env` import did (or, as a dry run, would do):
 * `POST .../envvars/:environment/import[?dryRun=true]`.
 *
 * @public
 */
export interface OpsHubEnvVarImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** Lines that could not be imported (a dry run reports them). */
  errors: Array<{ line: number; name: string; reason: string }>;
}
