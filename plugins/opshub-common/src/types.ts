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
