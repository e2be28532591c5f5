import type {
  OpsHubDoraMetrics,
  OpsHubDoraRatings,
} from '@opshub/plugin-opshub-common';
import type { DoraOfEntities } from '../dora/types';

/** The four ratings of DORA's keys, without their values. */
export function ratingsOfDora(metrics: OpsHubDoraMetrics): OpsHubDoraRatings {
  return {
    deploymentFrequency: metrics.deploymentFrequency.rating,
    leadTimeForChanges: metrics.leadTimeForChanges.rating,
    changeFailureRate: metrics.changeFailureRate.rating,
    recoveryTime: metrics.recoveryTime.rating,
  };
}

/** One entity's keys in a set's DORA; an entity left out of it is a bug. */
export function doraOfMember(
  dora: DoraOfEntities,
  entityRef: string,
): OpsHubDoraMetrics {
  const metrics = dora.byEntity.get(entityRef);
  if (!metrics) {
    throw new Error(`DORA of the entity set misses ${entityRef}`);
  }
  return metrics;
}
