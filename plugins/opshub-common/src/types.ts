import type { PreviewProviderId } from './annotations';

/**
 * OpsHub's annotations on an entity, as parsed. Absent or malformed ones are
 * left out.
 *
 * @public
 */
export interface OpsHubAnnotations {
  projectSlug?: string;
  previewProvider?: PreviewProviderId;
  vercelProjectId?: string;
  netlifySiteId?: string;
  slackChannel?: string;
  healthUrl?: string;
}

/**
 * An annotation whose value OpsHub could not use, and why.
 *
 * @public
 */
export interface OpsHubAnnotationProblem {
  annotation: string;
  message: string;
}

/**
 * What OpsHub knows of one catalog entity: the answer of
 * `GET /api/opshub/entities/:kind/:namespace/:name/summary`.
 *
 * @public
 */
export interface OpsHubEntitySummary {
  entityRef: string;
  /** True when the entity names a GitHub repository, the least OpsHub needs. */
  configured: boolean;
  annotations: OpsHubAnnotations;
  problems: OpsHubAnnotationProblem[];
  /**
   * When OpsHub's catalog sync started tracking the entity's repository, or
   * null when it has not (yet).
   */
  trackedSince: string | null;
  /** Named counts that OpsHub's capabilities and modules contribute. */
  counts: OpsHubSummaryCount[];
  /**
   * Whether OpsHub trusts the entity's claim on its repository; null while
   * the entity names none or OpsHub does not track it yet.
   */
  binding: OpsHubBinding | null;
}

/**
 * How an entity's repository binding (`github.com/project-slug`) was
 * verified, if it was: `location` (the entity's
 * `backstage.io/managed-by-location` is inside that repository), `approval`
 * (an org owner approved it), `config` (`opshub.github.approvedBindings`),
 * or `not-required` (`opshub.projects.requireVerifiedBinding: false`).
 *
 * @public
 */
export type OpsHubBindingVerification =
  | 'location'
  | 'approval'
  | 'config'
  | 'not-required';

/**
 * An entity's binding to a GitHub repository, as OpsHub trusts it. An
 * unverified binding starts no preview and writes nothing to GitHub.
 *
 * @public
 */
export interface OpsHubBinding {
  entityRef: string;
  /** `owner/name`, lower case. */
  repository: string;
  verified: boolean;
  /** How it was verified; null when it is not. */
  verifiedBy: OpsHubBindingVerification | null;
  /** The approval, when an org owner gave one for this repository. */
  approvedBy: string | null;
  approvedAt: string | null;
  /** Why it is not verified and how to fix it; null when verified. */
  problem: string | null;
}

/**
 * One named count in an entity summary, such as the number of live previews.
 *
 * @public
 */
export interface OpsHubSummaryCount {
  id: string;
  title: string;
  value: number;
}
