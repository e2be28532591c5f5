import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { OpsHubDeployEnvironmentClass } from '@opshub/plugin-opshub-common';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import type { DeployWindow } from '../shared/deployWindow';

/**
 * An entity's deploy analytics over a window (nothing while `window` is
 * undefined: the picked dates are not valid), fetched again when the
 * window or the environment changes.
 */
export function useDeployAnalytics(
  entityRef: CompoundEntityRef,
  window: DeployWindow | undefined,
  environment: OpsHubDeployEnvironmentClass | undefined,
) {
  const api = useApi(opshubApiRef);
  return useAsync(
    async () =>
      window &&
      api.getDeployAnalytics(entityRef, {
        from: window.from,
        to: window.to,
        ...(environment && { environment }),
      }),
    // (entityRef by value: callers pass a new object each render.)
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      api,
      entityRef.kind,
      entityRef.namespace,
      entityRef.name,
      window?.from,
      window?.to,
      environment,
    ],
  );
}
