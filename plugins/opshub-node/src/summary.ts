import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * Contributes one named count to OpsHub's entity summary, such as the number
 * of live previews of an entity.
 *
 * @public
 */
export interface OpsHubSummaryCounter {
  /** Stable identifier, unique among counters, e.g. `previews.live`. */
  id: string;
  /** Short label shown in the OpsHub tab. */
  title: string;
  /** Counts for one entity, given as a full entity ref. */
  count(entityRef: string): Promise<number>;
}

/**
 * Lets backend modules add counts to OpsHub's entity summary.
 *
 * @public
 */
export interface OpsHubSummaryExtensionPoint {
  addCounter(...counters: OpsHubSummaryCounter[]): void;
}

/**
 * Extension point for {@link OpsHubSummaryExtensionPoint}.
 *
 * @public
 */
export const opshubSummaryExtensionPoint =
  createExtensionPoint<OpsHubSummaryExtensionPoint>({
    id: 'opshub.summary',
  });
