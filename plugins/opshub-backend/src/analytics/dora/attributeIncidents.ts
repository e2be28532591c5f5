import type { DoraInputs } from './types';

type Deploy = DoraInputs['deploys'][number];
type Incident = DoraInputs['incidents'][number];

/**
 * Each incident goes to the last deploy of its own entity that finished
 * strictly before it opened; an incident before the entity's first deploy
 * goes nowhere. Returns the incidents of each deploy id that has any.
 */
export function attributeIncidents(
  deploys: readonly Deploy[],
  incidents: readonly Incident[],
): Map<string, Incident[]> {
  const byEntity = new Map<string, Deploy[]>();
  for (const deploy of deploys) {
    const list = byEntity.get(deploy.entityRef) ?? [];
    list.push(deploy);
    byEntity.set(deploy.entityRef, list);
  }
  for (const list of byEntity.values()) {
    list.sort((a, b) => a.finishedAtMs - b.finishedAtMs);
  }

  const attributed = new Map<string, Incident[]>();
  for (const incident of incidents) {
    const list = byEntity.get(incident.entityRef);
    const deploy = list && lastFinishedBefore(list, incident.openedAtMs);
    if (!deploy) continue;
    const ofDeploy = attributed.get(deploy.id) ?? [];
    ofDeploy.push(incident);
    attributed.set(deploy.id, ofDeploy);
  }
  return attributed;
}

/** Binary search in deploys sorted by finish: the last one before `ms`. */
function lastFinishedBefore(
  sorted: readonly Deploy[],
  ms: number,
): Deploy | undefined {
  let low = 0;
  let high = sorted.length; // the first index finishing at or after ms
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid].finishedAtMs < ms) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? undefined : sorted[low - 1];
}
