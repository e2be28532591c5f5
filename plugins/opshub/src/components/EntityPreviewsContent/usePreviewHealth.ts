import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import type { OpsHubHealthCheck } from '@opshub/plugin-opshub-common';
import { useMemo } from 'react';
import { useHealth } from '../HealthCard/useHealth';

/**
 * The checks of an entity's live previews by preview id, live through the
 * entity's health signals as on the Health card. Empty when health cannot
 * be read (no `opshub.health.read`): the previews show without it.
 */
export function usePreviewHealth(
  entity: Entity,
): Map<string, OpsHubHealthCheck> {
  const { value } = useHealth(getCompoundEntityRef(entity), {
    samples: false,
  });
  const previews = value?.health.previews;
  return useMemo(
    () =>
      new Map(
        (previews ?? [])
          .filter(check => check.previewId !== null)
          .map(check => [check.previewId!, check]),
      ),
    [previews],
  );
}
