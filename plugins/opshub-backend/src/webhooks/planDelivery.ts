import { z } from 'zod';
import { DEFAULT_ANALYTICS_CONFIG } from '../analytics/analyticsConfig';
import {
  DEPLOYMENT_EVENTS,
  planDeploymentDelivery,
} from '../analytics/githubDeployments/deploymentDeliveries';
import { mergedPullRequestJobs } from '../analytics/changes/mergedPullRequestJobs';
import { previewGroup } from '../previews/previewJobGroups';
import type { EnqueueRequest } from '../queue/types';
import type { DeliveryOutcome } from './DeliveryStore';

/** The pull_request actions OpsHub acts on, and the job each one becomes. */
export const PREVIEW_JOB_FOR_ACTION: Record<string, string> = {
  opened: 'create-preview',
  reopened: 'create-preview',
  synchronize: 'create-preview',
  ready_for_review: 'create-preview',
  // Label changes re-evaluate the rules (skip label) in create-preview.
  labeled: 'create-preview',
  unlabeled: 'create-preview',
  closed: 'teardown-preview',
};

/**
 * Orders the events of one PR (a job's `order`): its `updated_at`, then a
 * closed PR after an open one with the same stamp.
 */
export function prEventOrder(updatedAt: string, closed: boolean): string {
  return `${new Date(updatedAt).toISOString()}|${closed ? 1 : 0}`;
}

const pullRequestEvent = z.object({
  action: z.string(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.enum(['open', 'closed']).optional(),
    title: z.string(),
    updated_at: z.string().datetime({ offset: true }),
    draft: z.boolean().optional().default(false),
    merged: z.boolean().nullable().optional(),
    // Lenient: a malformed merge never costs the PR its preview jobs.
    merge_commit_sha: z.string().nullable().optional(),
    merged_at: z.string().nullable().optional(),
    user: z.object({ login: z.string() }),
    labels: z
      .array(z.object({ name: z.string() }))
      .optional()
      .default([]),
    head: z.object({
      sha: z.string(),
      ref: z.string(),
      repo: z.object({ full_name: z.string() }).nullable(),
    }),
    base: z.object({
      ref: z.string(),
      repo: z.object({ full_name: z.string() }),
    }),
  }),
  repository: z.object({ full_name: z.string() }),
});

const mergeCommit = z.string().min(1).max(64);
const mergedAt = z.string().datetime({ offset: true });

/** What a preview job knows of its pull request. */
export interface PreviewJobPayload {
  [key: string]: unknown;
  deliveryId: string;
  entityRef: string;
  repository: string;
  action: string;
  pullRequest: {
    number: number;
    title: string;
    author: string;
    draft: boolean;
    merged: boolean;
    /** What the payload says; an event on a closed PR never builds. */
    state?: 'open' | 'closed';
    labels: string[];
    headSha: string;
    headRef: string;
    baseRef: string;
    /** The head branch lives in another repository: never given secrets. */
    fromFork: boolean;
    /** The PR's `updated_at`: orders events of one PR. */
    updatedAt: string;
  };
}

/** What planning needs from the config. */
export interface PlanOptions {
  /** `opshub.analytics.productionEnvironments`. */
  productionEnvironments: string[];
}

const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  productionEnvironments: DEFAULT_ANALYTICS_CONFIG.productionEnvironments,
};

export interface DeliveryPlan {
  action: string | null;
  repository: string | null;
  outcome: DeliveryOutcome;
  /** Repository to look up when the event may become jobs. */
  lookup?: string;
  jobsFor(entityRefs: string[]): EnqueueRequest[];
}

/**
 * Parses a verified body and plans it. The parsed payload never outlives
 * this call (the plan keeps only the fields its jobs need), so under load
 * it dies young instead of being promoted while the delivery is written.
 */
export function planBody(
  deliveryId: string,
  event: string,
  rawBody: string,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): DeliveryPlan | 'invalid-json' | 'not-an-object' {
  let payload: unknown;
  try {
    payload = parsePayload(rawBody);
  } catch {
    return 'invalid-json';
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return 'not-an-object';
  return planDelivery(
    deliveryId,
    event,
    payload as Record<string, unknown>,
    options,
  );
}

/**
 * JSON.parse, except that a NUL character (`\u0000` in the JSON, which
 * PostgreSQL's text cannot hold) in a string becomes U+FFFD: the fields
 * OpsHub keeps of a delivery (repository, action, titles, refs) are stored
 * as text. The raw body is stored as signed, where the escape is plain
 * text. Bodies without the escape (all GitHub sends) parse as they are.
 */
function parsePayload(rawBody: string): unknown {
  if (!rawBody.includes('\\u0000')) return JSON.parse(rawBody);
  return JSON.parse(rawBody, (_key, value) =>
    typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value,
  );
}

/**
 * Decides what a delivery becomes: preview jobs for the entities of its
 * repository (`enqueued`, or `unmatched` when no entity names it) for a
 * pull request, and for a merged one (`closed` with `merged`) a
 * `record-merged-pr` job per entity too (lead time, `analytics/changes`);
 * deploy events for a deployment to a production environment
 * (`analytics/githubDeployments`); nothing (`ignored`) for every other
 * event and action.
 */
export function planDelivery(
  deliveryId: string,
  event: string,
  payload: Record<string, unknown>,
  options: PlanOptions = DEFAULT_PLAN_OPTIONS,
): DeliveryPlan {
  const action =
    typeof payload.action === 'string' ? payload.action.slice(0, 100) : null;
  const repository = readRepository(payload);
  const ignored: DeliveryPlan = {
    action,
    repository,
    outcome: 'ignored',
    jobsFor: () => [],
  };
  if (DEPLOYMENT_EVENTS.includes(event)) {
    return planDeploymentDelivery(
      { deliveryId, action, repository },
      event,
      payload,
      options.productionEnvironments,
    );
  }
  const actionJob = action ? PREVIEW_JOB_FOR_ACTION[action] : undefined;
  if (event !== 'pull_request' || !actionJob) return ignored;
  const parsed = pullRequestEvent.safeParse(payload);
  if (!parsed.success) return ignored;

  const { pull_request: pr, repository: repo } = parsed.data;
  // A label change on a merged PR (merge bots) must not bring it back.
  const closed = action === 'closed' || pr.state === 'closed';
  const jobType = closed ? 'teardown-preview' : actionJob;
  const mergeCommitSha = mergeCommit.safeParse(pr.merge_commit_sha);
  const mergedAtStamp = mergedAt.safeParse(pr.merged_at);
  const merged =
    action === 'closed' &&
    pr.merged &&
    mergeCommitSha.success &&
    mergedAtStamp.success
      ? {
          repository: repo.full_name,
          prNumber: pr.number,
          mergeCommitSha: mergeCommitSha.data,
          mergedAt: mergedAtStamp.data,
        }
      : undefined;
  return {
    action,
    repository,
    outcome: 'unmatched',
    lookup: repo.full_name,
    jobsFor: entityRefs => [
      ...entityRefs.map(entityRef => ({
        type: jobType,
        // One pending preview job per PR: the newest event wins, and none
        // of the PR's provider calls run at once.
        key: `preview:${entityRef}#${pr.number}`,
        group: previewGroup(entityRef, pr.number),
        order: prEventOrder(pr.updated_at, closed),
        payload: {
          deliveryId,
          entityRef,
          repository: repo.full_name,
          action: parsed.data.action,
          pullRequest: {
            number: pr.number,
            title: pr.title,
            author: pr.user.login,
            draft: pr.draft,
            merged: pr.merged ?? false,
            state: closed ? 'closed' : 'open',
            labels: pr.labels.map(label => label.name),
            headSha: pr.head.sha,
            headRef: pr.head.ref,
            baseRef: pr.base.ref,
            fromFork: pr.head.repo?.full_name !== pr.base.repo.full_name,
            updatedAt: pr.updated_at,
          },
        } satisfies PreviewJobPayload,
      })),
      ...(merged ? mergedPullRequestJobs(entityRefs, merged) : []),
    ],
  };
}

function readRepository(payload: Record<string, unknown>): string | null {
  const repository = payload.repository as { full_name?: unknown } | undefined;
  return typeof repository?.full_name === 'string'
    ? repository.full_name.slice(0, 255)
    : null;
}
