import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import type { IncidentState } from '../analyticsConfig';

/**
 * What DORA's keys are computed from, deploy by deploy, for one entity or a
 * set of them (a group): the reference form of the definitions
 * (`computeDora`, pure, and its tests). The database gives the same as a
 * DoraSummary (`loadDoraSummary`), which `summarizeDora` computes from.
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

/** A deploy an incident is attributed to. */
export interface AttributedDeploy {
  id: string;
  finishedAtMs: number;
}

/**
 * DORA's inputs as the database gives them (`loadDoraSummary`): the
 * window's deploys counted per entity and UTC day, and each incident with
 * the deploy it is attributed to (the last successful production deploy of
 * its entity finished strictly before it opened, found in SQL), so that no
 * deploy is read one by one. `summarizeDora` computes the keys from it;
 * `computeDora` gets here from DoraInputs.
 */
export interface DoraSummary {
  /** Successful production deploys finished in the window, per entity and UTC day. */
  deployDays: { entityRef: string; day: string; deploys: number }[];
  /** As in DoraInputs, each with its deploy (null: opened before any). */
  incidents: (DoraInputs['incidents'][number] & {
    deploy: AttributedDeploy | null;
  })[];
  changes: DoraInputs['changes'];
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
