import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { shortLivedCache } from './shortLivedCache';

/**
 * An entity's annotations as the catalog has them, asked by every lifecycle
 * job and message: kept for 10 s, so annotation changes reach OpsHub within
 * that (and the next catalog refresh), and asked again in the background
 * after 5 s, so a busy entity's jobs never wait for the catalog. Undefined
 * for an unknown entity.
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
    { ttlMs: 10_000, refreshAfterMs: 5_000 },
  ).get;
}
