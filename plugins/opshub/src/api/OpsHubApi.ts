import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { OpsHubEntitySummary } from '@opshub/plugin-opshub-common';

/**
 * The OpsHub backend, as the frontend sees it.
 *
 * @public
 */
export interface OpsHubApi {
  getEntitySummary(entity: CompoundEntityRef): Promise<OpsHubEntitySummary>;
}

/** @public */
export const opshubApiRef = createApiRef<OpsHubApi>({
  id: 'plugin.opshub.api',
});
