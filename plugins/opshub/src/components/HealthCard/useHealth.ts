import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  opshubHealthChannel,
  type OpsHubHealthSample,
} from '@opshub/plugin-opshub-common';
import { useCallback, useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { SPARKLINE_SAMPLES } from './health';

/**
 * An entity's health and (unless `samples: false`) each probed check's
 * latest samples (newest first); nothing while `enabled` is false (the
 * caller may not read health). Fetched again on every message of the entity's health channel and on
 * `reload()`: live, without a page reload.
 *
 * Each signal starts a new fetch (a counter in the dependencies) rather than
 * `useAsyncRetry`'s retry, which ignores calls while a fetch runs and would
 * drop a change signalled meanwhile; only the latest fetch's answer shows.
 */
export function useHealth(
  entityRef: CompoundEntityRef,
  options: { samples: boolean; enabled?: boolean } = { samples: true },
) {
  const enabled = options.enabled ?? true;
  const api = useApi(opshubApiRef);
  const ref = stringifyEntityRef(entityRef);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);

  const state = useAsync(async () => {
    if (!enabled) return undefined;
    const health = await api.getHealth(entityRef);
    const samples: Record<string, OpsHubHealthSample[]> = {};
    await Promise.all(
      health.checks
        .filter(check => options.samples && check.lastProbeAt !== null)
        .map(async check => {
          try {
            samples[check.id] = await api.listHealthSamples(
              entityRef,
              check.id,
              { limit: SPARKLINE_SAMPLES },
            );
          } catch {
            // A sparkline is not worth failing the card: it shows "—".
          }
        }),
    );
    return { health, samples };
    // (entityRef by value: callers pass a new object each render.)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, ref, generation, options.samples, enabled]);

  const { lastSignal } = useSignal(opshubHealthChannel(ref));
  useEffect(() => {
    if (lastSignal) reload();
  }, [lastSignal, reload]);

  return { ...state, reload };
}
