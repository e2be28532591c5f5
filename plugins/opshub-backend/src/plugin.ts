import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  opshubSummaryExtensionPoint,
  type OpsHubSummaryCounter,
} from '@opshub/plugin-opshub-node';
import { migrateUp } from './database/migrations';
import { DatabaseProjectStore } from './projects/DatabaseProjectStore';
import { syncProjectsFromCatalog } from './projects/syncProjectsFromCatalog';
import { createRouter } from './router';
import { EntitySummaryService } from './summary/EntitySummaryService';

const defaultProjectSyncSchedule: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 2 },
  initialDelay: { seconds: 5 },
};

/**
 * The OpsHub backend plugin, mounted at `/api/opshub`.
 *
 * @public
 */
export const opshubPlugin = createBackendPlugin({
  pluginId: 'opshub',
  register(env) {
    const counters = new Map<string, OpsHubSummaryCounter>();
    env.registerExtensionPoint(opshubSummaryExtensionPoint, {
      addCounter(...added) {
        for (const counter of added) {
          if (counters.has(counter.id)) {
            throw new Error(
              `OpsHub summary counter '${counter.id}' is already registered`,
            );
          }
          counters.set(counter.id, counter);
        }
      },
    });

    env.registerInit({
      deps: {
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { auth, catalog, config, database, httpRouter, logger } = deps;
        const knex = await database.getClient();
        if (!database.migrations?.skip) {
          await migrateUp(knex);
        }
        const projects = new DatabaseProjectStore(knex);

        const scheduleConfig = config.getOptionalConfig(
          'opshub.projectSync.schedule',
        );
        await deps.scheduler.scheduleTask({
          id: 'opshub-project-sync',
          ...(scheduleConfig
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                scheduleConfig,
              )
            : defaultProjectSyncSchedule),
          fn: () =>
            syncProjectsFromCatalog({ catalog, auth, store: projects, logger }),
        });

        const summaries = new EntitySummaryService({
          catalog,
          projects,
          counters: [...counters.values()],
          logger,
        });
        httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, summaries }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
