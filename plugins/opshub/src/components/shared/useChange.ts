import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback } from 'react';

/**
 * Runs a change against the backend and tells the user how it went: a
 * transient success alert, or the backend's error. `after` runs either way
 * (typically reloading what changed).
 */
export function useChange(after: () => void) {
  const alertApi = useApi(alertApiRef);
  return useCallback(
    async (success: string, change: () => Promise<unknown>) => {
      try {
        await change();
        alertApi.post({
          message: success,
          severity: 'success',
          display: 'transient',
        });
      } catch (e) {
        alertApi.post({ message: (e as Error).message, severity: 'error' });
      } finally {
        after();
      }
    },
    [alertApi, after],
  );
}
