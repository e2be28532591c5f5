import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { shortLivedCache } from './shortLivedCache';

/**
 * An entity's annotations as the catalog has them, asked by every lifecycle
 * job and message: kept for 10 s, so annotation changes reach OpsHub within
 * that (and the next catalog refresh). Undefined for an unknown entity.
 */
export function cachedEntityAnnotations(deps: {
  catalog: CatalogService;
  auth: AuthService;
}): (entityRef: string) => Promise<Record<string, string> | undefined> {
  return shortLivedCache(
    async (entityRef: string) => {
      const entity = await deps.catalog.getEntityByRef(entityRef, {
        credentials: await deps.auth.getOwnServiceCredentials(),
      });
      return entity?.metadata.annotations;
    },
    { ttlMs: 10_000 },
  ).get;
}
