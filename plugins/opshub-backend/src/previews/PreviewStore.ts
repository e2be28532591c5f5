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
  prUpdatedAt: Date;
  lastPushAt: Date;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

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

/** Persistence of previews and their deploy events. */
export interface PreviewStore {
  get(id: string): Promise<Preview | undefined>;
  find(entityRef: string, prNumber: number): Promise<Preview | undefined>;
  /**
   * Records the newest head of a PR's preview, unless a newer event already
   * did (then undefined). A new head clears the previous deploy and restarts
   * the TTL; the same head keeps what it has.
   */
  recordHead(head: PreviewHead): Promise<Preview | undefined>;
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
   * who approved which head. False when the preview was in none of `from`.
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
   * destroyed or expired, or (`expiredBy`) a push renewed its TTL since.
   */
  beginTeardown(
    previewId: string,
    options?: { closedAs?: 'merged' | 'closed'; expiredBy?: Date },
  ): Promise<boolean>;
  /**
   * The provider took the deploy down: destroying becomes `to`. False when
   * it was not destroying (a repeated job, or a push brought it back).
   */
  finishTeardown(
    previewId: string,
    to: 'destroyed' | 'expired',
  ): Promise<boolean>;
}
