/**
 * How a deploy ended: `superseded` when a newer head replaced it before it
 * finished (counted apart, left out of the success rate).
 *
 * @public
 */
export const DEPLOY_OUTCOMES = [
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
] as const;

/** @public */
export type OpsHubDeployOutcome = (typeof DEPLOY_OUTCOMES)[number];

/**
 * Why a deploy failed: every failed deploy has exactly one (the backend's
 * taxonomy table maps provider error codes to these).
 *
 * @public
 */
export const DEPLOY_ERROR_CLASSES = [
  'build',
  'configuration',
  'quota',
  'provider-outage',
  'timeout',
  'cancelled',
  'stuck',
  'unknown',
] as const;

/** @public */
export type OpsHubDeployErrorClass = (typeof DEPLOY_ERROR_CLASSES)[number];

/**
 * `production`: a GitHub deployment to an environment matching
 * `opshub.analytics.productionEnvironments`; `preview`: an OpsHub preview.
 *
 * @public
 */
export const DEPLOY_ENVIRONMENT_CLASSES = ['production', 'preview'] as const;

/** @public */
export type OpsHubDeployEnvironmentClass =
  (typeof DEPLOY_ENVIRONMENT_CLASSES)[number];

/**
 * Nearest-rank percentiles of durations in ms (the ⌈p·n/100⌉-th smallest);
 * null without a deploy to rank.
 *
 * @public
 */
export interface OpsHubDurationPercentiles {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * One deploy: a preview build or a GitHub production deployment. Times are
 * ISO 8601; durations are null where a part is unknown.
 *
 * @public
 */
export interface OpsHubDeployEvent {
  id: string;
  entityRef: string;
  /** The raw environment name (`preview` for OpsHub's previews). */
  environment: string;
  environmentClass: OpsHubDeployEnvironmentClass;
  /** `preview`: an OpsHub preview build; `github`: a GitHub deployment. */
  source: 'preview' | 'github';
  /** The preview provider (`vercel`, `netlify`, `mock`, ...) or `github`. */
  provider: string;
  /** `owner/name`, when known. */
  repository: string | null;
  headSha: string;
  prNumber: number | null;
  previewId: string | null;
  /** The provider's (or GitHub's) page of this deploy, when known. */
  url: string | null;
  /** Null while it runs. */
  outcome: OpsHubDeployOutcome | null;
  errorClass: OpsHubDeployErrorClass | null;
  errorCode: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** started − queued. */
  queueTimeMs: number | null;
  /** finished − started. */
  buildTimeMs: number | null;
  /** finished − queued. */
  totalTimeMs: number | null;
}

/**
 * `GET /entities/:kind/:namespace/:name/analytics?from=&to=&environment=`:
 * deploys whose queued time falls in the window's UTC days (both
 * inclusive). Percentiles over succeeded deploys, from the raw events.
 *
 * @public
 */
export interface OpsHubDeployAnalytics {
  from: string;
  to: string;
  environment: OpsHubDeployEnvironmentClass | null;
  deploys: {
    total: number;
    succeeded: number;
    failed: number;
    cancelled: number;
    superseded: number;
    /** succeeded ÷ (succeeded + failed + cancelled); null without any. */
    successRate: number | null;
    /** Every day of the window, oldest first, zeros included. */
    byDay: {
      date: string;
      succeeded: number;
      failed: number;
      cancelled: number;
    }[];
  };
  totalTime: OpsHubDurationPercentiles;
  buildTime: OpsHubDurationPercentiles;
  /** Failed deploys by class, most first. */
  errorClasses: { class: OpsHubDeployErrorClass; count: number }[];
  /** The newest deploys of the window, newest first (at most 50). */
  recent: OpsHubDeployEvent[];
  /** DORA's four keys over the window (production deploys, whatever `environment`). */
  dora: OpsHubDoraMetrics;
}

/**
 * One entity's headline numbers in `GET /analytics/overview`.
 *
 * @public
 */
export interface OpsHubAnalyticsOverviewItem {
  entityRef: string;
  deploys: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** succeeded ÷ (succeeded + failed + cancelled); null without any. */
  successRate: number | null;
  /** The DORA ratings of the entity over the window. */
  dora: OpsHubDoraRatings;
}

/**
 * `GET /analytics/overview?from=&to=&limit=&after=`: the entities the
 * caller may read, most deploys first; `nextCursor` for the next page.
 *
 * @public
 */
export interface OpsHubAnalyticsOverview {
  from: string;
  to: string;
  items: OpsHubAnalyticsOverviewItem[];
  nextCursor: string | null;
}

/**
 * DORA performance levels, best first (the DORA 2023 report's thresholds,
 * as Apache DevLake's DORA dashboard rates them; see the backend README).
 *
 * @public
 */
export const DORA_RATINGS = ['elite', 'high', 'medium', 'low'] as const;

/** @public */
export type OpsHubDoraRating = (typeof DORA_RATINGS)[number];

/**
 * Why a DORA key has no value (its value and rating are then null):
 * - `no-deploys`: no successful production deploy finished in the window;
 * - `no-deployed-changes`: no merged pull request reached production in
 *   the window (lead time);
 * - `no-github-credentials`: `integrations.github` has no token or app to
 *   read commits with, so lead time cannot be known;
 * - `no-recovered-incidents`: no closed incident is attributed to a deploy
 *   of the window (recovery time).
 *
 * @public
 */
export type OpsHubDoraUnavailableReason =
  | 'no-deploys'
  | 'no-deployed-changes'
  | 'no-github-credentials'
  | 'no-recovered-incidents';

/**
 * DORA's four keys over a window of UTC days (deploys counted by the day
 * they finished), for successful production deploys only.
 *
 * @public
 */
export interface OpsHubDoraMetrics {
  deploymentFrequency: {
    /** Median over the window's weeks (Monday to Sunday, UTC) of the days with a deploy. */
    medianDeployDaysPerWeek: number | null;
    /** Median over the window's calendar months of the days with a deploy. */
    medianDeployDaysPerMonth: number | null;
    /** Successful production deploys finished in the window. */
    deploys: number;
    rating: OpsHubDoraRating | null;
    reason: OpsHubDoraUnavailableReason | null;
  };
  leadTimeForChanges: {
    /** Median of first commit → first production deploy containing the PR's merge commit. */
    medianHours: number | null;
    /** Merged pull requests first deployed in the window. */
    changes: number;
    rating: OpsHubDoraRating | null;
    reason: OpsHubDoraUnavailableReason | null;
  };
  changeFailureRate: {
    /** Deploys with at least one attributed incident ÷ deploys (0..1). */
    value: number | null;
    failedDeploys: number;
    deploys: number;
    rating: OpsHubDoraRating | null;
    reason: OpsHubDoraUnavailableReason | null;
  };
  recoveryTime: {
    /** Median of incident closed − attributed deploy finished. */
    medianHours: number | null;
    /** Closed incidents attributed to the window's deploys. */
    incidents: number;
    rating: OpsHubDoraRating | null;
    reason: OpsHubDoraUnavailableReason | null;
  };
}

/**
 * The four ratings alone (the overview's rows).
 *
 * @public
 */
export interface OpsHubDoraRatings {
  deploymentFrequency: OpsHubDoraRating | null;
  leadTimeForChanges: OpsHubDoraRating | null;
  changeFailureRate: OpsHubDoraRating | null;
  recoveryTime: OpsHubDoraRating | null;
}

/**
 * `GET /analytics/groups/:namespace/:name?from=&to=`: DORA's keys over the
 * tracked entities the group owns that the caller may read, together and
 * one by one.
 *
 * @public
 */
export interface OpsHubGroupAnalytics {
  groupRef: string;
  from: string;
  to: string;
  /** The entities counted, sorted. */
  entities: string[];
  dora: OpsHubDoraMetrics;
  byEntity: { entityRef: string; dora: OpsHubDoraMetrics }[];
}
