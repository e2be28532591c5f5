import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import { opshubPreviewsChannel } from '@opshub/plugin-opshub-common';
import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';

/**
 * An entity's previews and the caller's standing on it, reloaded whenever
 * the backend signals that the entity's previews changed (no polling, no
 * page reload).
 */
export function usePreviews(entity: Entity) {
  const api = useApi(opshubApiRef);
  const ref = getCompoundEntityRef(entity);
  const key = [ref.kind, ref.namespace, ref.name].join(':');
  const state = useAsyncRetry(async () => {
    const [previews, standing] = await Promise.all([
      api.listPreviews(ref),
      api.getEffectiveRole(ref),
    ]);
    return { previews, permissions: standing.permissions };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  const { lastSignal } = useSignal(
    opshubPreviewsChannel(`${ref.kind}:${ref.namespace}/${ref.name}`),
  );
  const { retry } = state;
  useEffect(() => {
    if (lastSignal) retry();
  }, [lastSignal, retry]);
  return state;
}
