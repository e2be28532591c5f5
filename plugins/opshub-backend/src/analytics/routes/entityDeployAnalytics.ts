import type {
  OpsHubDeployAnalytics,
  OpsHubDeployEnvironmentClass,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { doraOfEntity } from '../dora/doraOfEntities';
import type { DoraOptions } from '../dora/types';
import { entityAnalytics } from '../metrics/entityAnalytics';
import { requestedWindow } from './analyticsInput';
import { trackedEntityRef } from './trackedEntityRef';

/**
 * One entity's deploy metrics over a window of UTC days (`from`/`to` as
 * `YYYY-MM-DD`, by default the 30 days ending today), of one environment
 * class or all, and DORA's keys over the same window (production deploys,
 * whatever the environment); as the entity analytics route and
 * `opshub:get-deploy-analytics` answer them. The caller authorizes first.
 */
export async function entityDeployAnalytics(
  deps: { knex: Knex; dora: DoraOptions; now: () => number },
  ref: string,
  query: {
    from?: string;
    to?: string;
    environment?: OpsHubDeployEnvironmentClass;
  },
): Promise<OpsHubDeployAnalytics> {
  const { from, to } = requestedWindow(query, deps.now());
  const entityRef = await trackedEntityRef(deps.knex, ref);
  const [metrics, dora] = await Promise.all([
    entityAnalytics(deps.knex, {
      entityRef,
      from,
      to,
      environmentClass: query.environment ?? null,
    }),
    doraOfEntity(deps.knex, {
      entityRef,
      window: { from, to },
      options: deps.dora,
    }),
  ]);
  return { ...metrics, dora };
}
