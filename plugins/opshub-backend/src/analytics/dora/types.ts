import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import type { IncidentState } from '../analyticsConfig';

/**
 * What DORA's keys are computed from, for one entity or a set of them
 * (a group): loaded by `loadDoraInputs`, computed by `computeDora` (pure).
 * Times are epoch ms.
 */
export interface DoraInputs {
  /**
   * Successful production deploys finished from the window's start on
   * (later ones too: an incident after the window's end may still belong
   * to the window's last deploy), oldest first.
   */
  deploys: { id: string; entityRef: string; finishedAtMs: number }[];
  /**
   * Incidents of the entities' own (non-preview) checks whose worst state
   * is one of `incidentStates`, opened from the window's start on.
   */
  incidents: {
    id: number;
    entityRef: string;
    openedAtMs: number;
    closedAtMs: number | null;
  }[];
  /**
   * Merged pull requests with a known first commit whose first successful
   * production deploy containing the merge commit finished in the window.
   */
  changes: {
    entityRef: string;
    repository: string;
    prNumber: number;
    firstCommitAtMs: number;
    deployedAtMs: number;
  }[];
  /** False when OpsHub has no GitHub credentials to read commits with. */
  githubCommitsReadable: boolean;
}

/** The window DORA is computed over: UTC days, both inclusive. */
export interface DoraWindow {
  /** ISO dates. */
  from: string;
  to: string;
}

/** What loading DORA's inputs needs besides the database. */
export interface DoraOptions {
  /** `opshub.analytics.incidentStates`. */
  incidentStates: IncidentState[];
  /** Whether `integrations.github` has a token or an app (lead time). */
  githubCommitsReadable: boolean;
}

/** DORA's keys for each entity of a set, and for the set as a whole. */
export interface DoraOfEntities {
  all: OpsHubDoraMetrics;
  byEntity: Map<string, OpsHubDoraMetrics>;
}
