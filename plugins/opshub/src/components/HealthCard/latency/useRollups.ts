import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type {
  OpsHubHealthCheck,
  OpsHubHealthRollup,
} from '@opshub/plugin-opshub-common';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../../api/OpsHubApi';
import { type LatencyRange, rollupWindowOf } from './latencyRange';

/**
 * The hourly rollups of each probed check over the range (none for `24h`,
 * which the latest samples show), fetched when the range or the set of
 * checks changes: an hour's rollup does not change with every probe.
 */
export function useRollups(
  entityRef: CompoundEntityRef,
  checks: OpsHubHealthCheck[] | undefined,
  range: LatencyRange,
  now: () => number = Date.now,
) {
  const api = useApi(opshubApiRef);
  const probed = (checks ?? [])
    .filter(check => check.lastProbeAt !== null)
    .map(check => check.id);
  const key = probed.join(',');
  const state = useAsync(async () => {
    const rollups: Record<string, OpsHubHealthRollup[]> = {};
    if (range === '24h') return rollups;
    const window = rollupWindowOf(range, now());
    await Promise.all(
      probed.map(async id => {
        try {
          rollups[id] = await api.listHealthRollups(entityRef, id, window);
        } catch {
          // A sparkline is not worth failing the card: it shows "—".
        }
      }),
    );
    return rollups;
    // (entityRef and the ids by value: callers pass new objects each render.)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, stringifyEntityRef(entityRef), range, key]);
  return state.value ?? {};
}
