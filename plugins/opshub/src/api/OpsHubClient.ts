import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { OpsHubEntitySummary } from '@opshub/plugin-opshub-common';
import type { OpsHubApi } from './OpsHubApi';

/**
 * Calls the OpsHub backend through Backstage's discovery and fetch APIs, so
 * the user's token travels with every request.
 *
 * @public
 */
export class OpsHubClient implements OpsHubApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getEntitySummary(
    entity: CompoundEntityRef,
  ): Promise<OpsHubEntitySummary> {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(encodeURIComponent)
      .join('/');
    return this.get(`/entities/${path}/summary`);
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('opshub');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
