import {
  isOpenPreviewState,
  OPSHUB_PREVIEW_STATES,
  type OpsHubPreviewState,
} from '@opshub/plugin-opshub-common';
import type { DeployErrorClass } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';

export type PreviewState = OpsHubPreviewState;

/** States of a preview not (being) torn down: the TTL and reconcile end them. */
export const OPEN_PREVIEW_STATES: PreviewState[] =
  OPSHUB_PREVIEW_STATES.filter(isOpenPreviewState);

/** States in which a preview holds (or is getting) a deploy. */
export const LIVE_PREVIEW_STATES: PreviewState[] = [
  'queued',
  'building',
  'ready',
];

export interface Preview {
  id: string;
  entityRef: string;
  prNumber: number;
  repository: string;
  title: string;
  branch: string;
  headSha: string;
  author: string;
  fromFork: boolean;
  provider: string;
  deploymentId: string | null;
  url: string | null;
  state: PreviewState;
  errorClass: DeployErrorClass | null;
  errorMessage: string | null;
  approvedBy: string | null;
  approvedSha: string | null;
  closedAs: 'merged' | 'closed' | null;
  /** Why it was last torn down; `destroyed` and `expired` keep it down. */
  teardownReason: TeardownReason | null;
  /** Counts the times it was queued to build: names each build's intent. */
  buildNumber: number;
  /**
   * How many environment variables its last build was built with (null:
   * never pushed, e.g. a fork's PR or a provider without the notion).
   */
  envVarCount: number | null;
  /** When they were pushed to the provider. */
  envPushedAt: Date | null;
  prUpdatedAt: Date;
  lastPushAt: Date;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Why a preview is torn down. */
export type TeardownReason =
  | 'pr-closed'
  | 'skip-rule'
  | 'destroyed'
  | 'expired';

/**
 * What a pull request event says of its preview; `prUpdatedAt` is the PR's
 * `updated_at` in the event, so an older event never wins.
 */
export type PreviewHead = Pick<
  Preview,
  | 'entityRef'
  | 'prNumber'
  | 'repository'
  | 'title'
  | 'branch'
  | 'headSha'
  | 'author'
  | 'fromFork'
  | 'provider'
  | 'prUpdatedAt'
> & {
  state: 'queued' | 'awaiting-approval';
  ttlMs: number;
};

/** A build of `headSha` the provider started. */
export interface BuildStart {
  previewId: string;
  headSha: string;
  buildNumber: number;
  deploymentId: string;
  url?: string;
  /** When the event that asked for it was queued. */
  queuedAt: Date;
}

/** Why a build failed or could not start. */
export interface BuildFailure {
  errorClass: DeployErrorClass;
  errorCode?: string;
  message: string;
}

export type BuildOutcome =
  | { outcome: 'ready'; url: string }
  | ({ outcome: 'failed' } & BuildFailure);

export interface Teardown {
  reason: TeardownReason;
  closedAs?: 'merged' | 'closed';
  /** The TTL sweep's time: a push since renewed the preview. */
  expiredBy?: Date;
  /** The PR event's `updated_at` that asked for it. */
  prUpdatedAt?: Date;
}

/** Persistence of previews and their deploy events. */
export interface PreviewStore {
  get(id: string): Promise<Preview | undefined>;
  find(entityRef: string, prNumber: number): Promise<Preview | undefined>;
  /**
   * Records the newest head of a PR's preview, unless a newer event already
   * did, or a `closed` one with the same stamp, with or without a preview
   * (then undefined). A new head
   * is queued (or awaits approval) as a new build and restarts the TTL; the
   * same head keeps what it has. A preview torn down because its PR closed
   * (reopened) or by the skip rule comes back; one a user destroyed or the
   * TTL expired stays down until a new head or a redeploy.
   */
  recordHead(
    trx: Knex.Transaction,
    head: PreviewHead,
  ): Promise<Preview | undefined>;
  /**
   * A PR closed while it had no preview: keeps the close's stamp (the
   * latest one), so `recordHead` of an event not newer (an `opened` or
   * `synchronize` delivered late) creates none; a reopen, newer, does.
   * Not a preview: `find` and `list` do not see it.
   */
  recordClose(
    entityRef: string,
    prNumber: number,
    prUpdatedAt: Date,
  ): Promise<void>;
  /**
   * Forgets the closes `recordClose` kept of PRs last updated before
   * `date`; returns how many.
   */
  deleteClosesBefore(date: Date): Promise<number>;
  /**
   * The build of `headSha` started: the preview is building with the
   * provider's deploy, and a deploy event opens. False when the preview has
   * moved on to another head or state meanwhile (nothing written).
   */
  startBuild(trx: Knex.Transaction, build: BuildStart): Promise<boolean>;
  /** The build of `headSha` ended; false when it is no longer current. */
  finishBuild(
    previewId: string,
    headSha: string,
    result: BuildOutcome,
  ): Promise<boolean>;
  /** How many of an entity's previews are live, other than PR `exceptPr`'s. */
  countLive(entityRef: string, exceptPr: number): Promise<number>;
  /**
   * Fails a queued preview whose build could not start (the entity has too
   * many live ones, the provider refused or stayed down), with a finished
   * deploy event. False when it was not queued with that head.
   */
  refuse(
    previewId: string,
    headSha: string,
    failure: BuildFailure & { queuedAt: Date },
  ): Promise<boolean>;
  /** An entity's previews, most recently changed first. */
  list(entityRef: string, limit: number): Promise<Preview[]>;
  /**
   * Queues the current head for a new build (redeploy, approval): from one
   * of `from` to `queued`, clearing the previous deploy; an approval records
   * who approved which head, and holds only while that is still the head.
   * False when the preview was in none of `from`.
   */
  requeue(
    trx: Knex.Transaction,
    previewId: string,
    from: PreviewState[],
    approval?: { by: string; sha: string },
  ): Promise<boolean>;
  /** Previews past their TTL that still hold or await a deploy. */
  listExpired(now: Date, limit: number): Promise<Preview[]>;
  /**
   * Starts tearing a preview down (again, after a crash): it is destroying
   * and its open deploy event ends as cancelled. False when it is already
   * destroyed or expired, when (`expiredBy`) a push renewed its TTL since,
   * or when (`prUpdatedAt`) a newer event of the PR was applied. A PR event
   * records its stamp even when there is nothing to tear down, so an older
   * event arriving later cannot bring the preview back.
   */
  beginTeardown(previewId: string, teardown: Teardown): Promise<boolean>;
  /**
   * The provider took the deploy down: destroying becomes `to`. False when
   * it was not destroying (a repeated job, or a push brought it back).
   */
  finishTeardown(
    previewId: string,
    to: 'destroyed' | 'expired',
  ): Promise<boolean>;
}
