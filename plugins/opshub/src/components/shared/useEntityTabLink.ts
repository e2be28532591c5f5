import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import { useCallback } from 'react';

/**
 * The address of a tab (such as `deploys`) of an entity's catalog page, for
 * an entity ref in either form.
 */
export function useEntityTabLink() {
  const entityLink = useEntityRefLink();
  return useCallback(
    (entityRef: string | CompoundEntityRef, tab: string) =>
      `${entityLink(entityRef)}/${tab}`,
    [entityLink],
  );
}
