import {
  DEPLOY_ENVIRONMENT_CLASSES,
  opshubAnalyticsReadPermission,
} from '@opshub/plugin-opshub-common';
import { DEFAULT_WINDOW_DAYS } from '../analytics/routes/analyticsInput';
import { entityDeployAnalytics } from '../analytics/routes/entityDeployAnalytics';
import { MAX_WINDOW_DAYS } from '../analytics/metrics/deployWindow';
import { deployAnalyticsOutput } from './deployAnalyticsSchema';
import { authorizeOnEntity, entityRefInput } from './entityScope';
import type { OpsHubActionsDeps } from './types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `opshub:get-deploy-analytics`. */
export function registerDeployAnalyticsAction(deps: OpsHubActionsDeps) {
  deps.actionsRegistry.register({
    name: 'get-deploy-analytics',
    title: "Get an entity's deploy analytics and DORA metrics",
    description: `Reads an entity's deploy analytics over a window of UTC days: how many deploys succeeded and failed, per day, how long they took, why they failed, the newest deploys, and DORA's four keys (deployment frequency, lead time for changes, change failure rate, time to recover) with their performance levels (elite, high, medium, low).
Use it to answer how often and how reliably a service ships, or how it rates on DORA. Deploys are OpsHub's preview builds (environment "preview") and GitHub deployments to production environments ("production"); DORA counts production deploys only.
Needs opshub.analytics.read on the entity (role viewer or above). An entity the catalog does not know is NotFound; one the caller holds no role on, NotAllowed.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          from: z
            .string()
            .regex(DAY, 'must be a date as YYYY-MM-DD')
            .optional()
            .describe(
              `First day of the window (YYYY-MM-DD, UTC). Default: ${DEFAULT_WINDOW_DAYS} days ending at "to". The window spans at most ${MAX_WINDOW_DAYS} days.`,
            ),
          to: z
            .string()
            .regex(DAY, 'must be a date as YYYY-MM-DD')
            .optional()
            .describe(
              'Last day of the window, included (YYYY-MM-DD, UTC). Default: today.',
            ),
          environment: z
            .enum(DEPLOY_ENVIRONMENT_CLASSES)
            .optional()
            .describe(
              'Count only production or only preview deploys; all by default (DORA is production either way).',
            ),
        }),
      output: deployAnalyticsOutput,
    },
    action: async ({ input, credentials }) => {
      const { entityRef, ...query } = input;
      await authorizeOnEntity(
        deps,
        credentials,
        opshubAnalyticsReadPermission,
        entityRef,
      );
      return {
        output: await entityDeployAnalytics(deps.analytics, entityRef, query),
      };
    },
  });
}
