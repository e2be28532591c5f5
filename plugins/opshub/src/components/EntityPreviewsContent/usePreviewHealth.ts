import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import type { OpsHubHealthCheck } from '@opshub/plugin-opshub-common';
import { useMemo } from 'react';
import { useHealth } from '../HealthCard/useHealth';

/**
 * The checks of an entity's live previews by preview id, live through the
 * entity's health signals as on the Health card. Empty, and not asked for,
 * unless the caller may read health (`canRead`: `opshub.health.read`).
 */
export function usePreviewHealth(
  entity: Entity,
  canRead: boolean,
): Map<string, OpsHubHealthCheck> {
  const { value } = useHealth(getCompoundEntityRef(entity), {
    samples: false,
    enabled: canRead,
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
