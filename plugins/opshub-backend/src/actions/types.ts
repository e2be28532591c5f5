import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Knex } from 'knex';
import type { DoraOptions } from '../analytics/dora/types';
import type { EnvVarStore } from '../envvars/EnvVarStore';
import type { healthReads } from '../health/entityHealth';
import type { MutationLimiter } from '../http/mutationLimiter';
import type { previewOperations } from '../previews/previewOperations';
import type { ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { DeliveryStore } from '../webhooks/DeliveryStore';

/** What OpsHub's actions use: the same pieces as the matching routes. */
export interface OpsHubActionsDeps {
  actionsRegistry: ActionsRegistryService;
  authorizer: ProjectAuthorizer;
  /** Whether the caller can see an entity at all (NotFound otherwise). */
  catalog: CatalogService;
  /** The per-caller mutation budget the routes spend from too. */
  limiter: MutationLimiter;
  previews: ReturnType<typeof previewOperations>;
  health: Pick<ReturnType<typeof healthReads>, 'entityHealth'>;
  analytics: { knex: Knex; dora: DoraOptions; now: () => number };
  envVars: Pick<EnvVarStore, 'list'>;
  deliveries: DeliveryStore;
}
