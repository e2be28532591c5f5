import type { CompoundEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { opshubApiRef } from '../../api/OpsHubApi';
import { idOf, keyOf, REMASK_AFTER_MS, statusOf } from './envVars';

/**
 * Revealed values by variable id: each asked of the backend (which audits
 * it), held only in this component's state and dropped (masked again) after
 * `remaskAfterMs`, when hidden, or when the component unmounts.
 */
export function useReveal(
  entityRef: CompoundEntityRef,
  remaskAfterMs: number = REMASK_AFTER_MS,
) {
  const api = useApi(opshubApiRef);
  const alertApi = useApi(alertApiRef);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const hide = useCallback((v: OpsHubEnvVar) => {
    const id = idOf(keyOf(v));
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setRevealed(({ [id]: _dropped, ...rest }) => rest);
  }, []);

  const show = useCallback(
    async (v: OpsHubEnvVar) => {
      const id = idOf(keyOf(v));
      try {
        const value = await api.revealEnvVar(entityRef, keyOf(v));
        clearTimeout(timers.current.get(id));
        timers.current.set(
          id,
          setTimeout(() => hide(v), remaskAfterMs),
        );
        setRevealed(current => ({ ...current, [id]: value }));
      } catch (e) {
        alertApi.post({
          message:
            statusOf(e) === 403
              ? `You may not reveal ${v.name}: ${(e as Error).message}`
              : (e as Error).message,
          severity: 'error',
        });
      }
    },
    [api, alertApi, entityRef, remaskAfterMs, hide],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => {
      pending.forEach(timer => clearTimeout(timer));
      pending.clear();
    };
  }, []);

  return { revealed, show, hide };
}
