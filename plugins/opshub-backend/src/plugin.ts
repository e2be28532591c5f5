import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { opshubPermissions } from '@opshub/plugin-opshub-common';
import {
  opshubDeployErrorCodesExtensionPoint,
  opshubEncryptionKeysExtensionPoint,
  type OpsHubEncryptionKeyRing,
  opshubPreviewProvidersExtensionPoint,
  opshubSummaryExtensionPoint,
  type OpsHubSummaryCounter,
  type PreviewProvider,
} from '@opshub/plugin-opshub-node';
import { registerOpsHubActions } from './actions/registerOpsHubActions';
import { DatabaseActivityLog } from './activity/DatabaseActivityLog';
import {
  githubCommitsReadable,
  registerMergedPullRequestJobs,
  setUpDeployChanges,
} from './analytics/changes/setUpDeployChanges';
import { registerWeeklyDigestJob } from './analytics/digest/registerWeeklyDigestJob';
import { setUpDigestSchedule } from './analytics/digest/scheduleDigests';
import type { DoraOptions } from './analytics/dora/types';
import { registerGithubDeploymentJobs } from './analytics/githubDeployments/registerGithubDeploymentJobs';
import {
  enqueueDeployStats,
  setUpDeployStats,
} from './analytics/metrics/setUpDeployStats';
import { DeployErrorTaxonomy } from './analytics/taxonomy/deployErrorTaxonomy';
import { createAudited } from './activity/audited';
import { readOpsHubConfig } from './config';
import { migrateUp } from './database/migrations';
import { githubClientsFromConfig } from './github/githubClients';
import { DatabaseEnvVarStore } from './envvars/DatabaseEnvVarStore';
import { ConfigKeyRing } from './envvars/configKeyRing';
import { setUpEnvVars } from './envvars/setUpEnvVars';
import { healthReads } from './health/entityHealth';
import { setUpHealth } from './health/setUpHealth';
import { applyRetention } from './maintenance/retention';
import { SentMessages } from './notifications/SentMessages';
import { previewCounters } from './previews/previewCounters';
import { previewOperations } from './previews/previewOperations';
import { DatabasePreviewStore } from './previews/DatabasePreviewStore';
import { setUpPreviews } from './previews/setUpPreviews';
import { BindingVerifier } from './projects/bindings';
import { findProjectsInCatalog } from './projects/catalogProjects';
import { DatabaseBindingApprovals } from './projects/DatabaseBindingApprovals';
import { DatabaseProjectStore } from './projects/DatabaseProjectStore';
import { RepositoryBindings } from './projects/RepositoryBindings';
import { RepositoryLookup } from './projects/RepositoryLookup';
import { runProjectSync } from './projects/syncProjectsFromCatalog';
import { DatabaseJobStore } from './queue/DatabaseJobStore';
import { JobQueue } from './queue/JobQueue';
import { DatabaseRoleAssignmentStore } from './rbac/DatabaseRoleAssignmentStore';
import {
  createHasRoleAtLeastRule,
  opshubProjectResourceRef,
} from './rbac/permissionRules';
import { loadProjectAccess } from './rbac/projectAccess';
import { ProjectAuthorizer } from './rbac/ProjectAuthorizer';
import { PgListenWakeups } from './queue/PgListenWakeups';
import { createMutationLimiter } from './http/mutationLimiter';
import { createRouter, UNAUTHENTICATED_ROUTES } from './router';
import { EntitySummaryService } from './summary/EntitySummaryService';
import { DatabaseDeliveryStore } from './webhooks/DatabaseDeliveryStore';
import { createGithubSignatureVerifier } from './webhooks/verifyGithubSignature';
import { WebhookIntake } from './webhooks/WebhookIntake';

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
      addCounter: addUnique(counters, 'summary counter'),
    });

    const providers = new Map<string, PreviewProvider>();
    env.registerExtensionPoint(opshubPreviewProvidersExtensionPoint, {
      addProvider: addUnique(providers, 'preview provider'),
    });

    const errorTaxonomy = DeployErrorTaxonomy.withBuiltInCodes();
    env.registerExtensionPoint(opshubDeployErrorCodesExtensionPoint, {
      addErrorCodes: (provider, codes) =>
        errorTaxonomy.addErrorCodes(provider, codes),
    });

    let moduleKeyRing: OpsHubEncryptionKeyRing | undefined;
    env.registerExtensionPoint(opshubEncryptionKeysExtensionPoint, {
      setKeyRing(ring) {
        if (moduleKeyRing) {
          throw new Error('The OpsHub encryption key ring is already set');
        }
        moduleKeyRing = ring;
      },
    });

    env.registerInit({
      deps: {
        actionsRegistry: actionsRegistryServiceRef,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        notifications: notificationService,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        signals: signalsServiceRef,
        userInfo: coreServices.userInfo,
      },
      async init(deps) {
        const { auth, catalog, database, httpRouter, lifecycle, logger } = deps;
        const config = readOpsHubConfig(deps.config);
        const knex = await database.getClient();
        if (!database.migrations?.skip) {
          await migrateUp(knex);
        }

        const projects = new DatabaseProjectStore(knex, config.projects);
        const verifier = BindingVerifier.fromConfig(
          deps.config,
          config.github.approvedBindings,
        );
        const repositories = new RepositoryLookup(projects);
        const jobs = new DatabaseJobStore(knex, {
          maxAttempts: config.queue.maxAttempts,
        });
        const deliveries = new DatabaseDeliveryStore(knex);
        const queue = new JobQueue(
          jobs,
          logger.child({ component: 'job-queue' }),
          config.queue,
          knex.client.config.client === 'pg'
            ? PgListenWakeups.fromKnex(knex, logger)
            : undefined,
        );
        const envVars = await setUpEnvVars({
          knex,
          ring: moduleKeyRing ?? new ConfigKeyRing(config.encryption.keys),
          queue,
          logger,
        });
        const envVarStore = new DatabaseEnvVarStore(knex);
        // Bound once health is set up (after previews, whose changes it follows).
        let previewChanged = (_previewId: string) => {};
        const { previews, notify } = await setUpPreviews({
          rootConfig: deps.config,
          config,
          knex,
          queue,
          projects,
          envVars: envVarStore,
          cipher: envVars.cipher,
          providers,
          errorTaxonomy,
          catalog,
          auth,
          signals: deps.signals,
          scheduler: deps.scheduler,
          logger,
          onPreviewChange: previewId => previewChanged(previewId),
        });
        const health = await setUpHealth({
          knex,
          config: config.health,
          queueOptions: config.queue,
          wakeups:
            knex.client.config.client === 'pg'
              ? PgListenWakeups.fromKnex(knex, logger)
              : undefined,
          annotationSyncSchedule: config.projectSyncSchedule,
          scheduler: deps.scheduler,
          signals: deps.signals,
          catalog,
          auth,
          logger,
          rootConfig: deps.config,
          notifications: deps.notifications,
          envVars: envVarStore,
          cipher: envVars.cipher,
        });
        previewChanged = health.previewChanged;
        // DORA: merged PRs always; the commits of deploys with credentials.
        const commitsReadable = githubCommitsReadable(deps.config);
        const githubClients = commitsReadable
          ? githubClientsFromConfig(deps.config)
          : undefined;
        registerMergedPullRequestJobs(queue, {
          knex,
          clientFor: githubClients,
        });
        const deployChanges = await setUpDeployChanges({
          knex,
          queue,
          scheduler: deps.scheduler,
          clientFor: githubClients,
          logger: logger.child({ component: 'deploy-changes' }),
        });
        registerGithubDeploymentJobs(queue, {
          knex,
          errorClassifier: errorTaxonomy,
          recorded: () => enqueueDeployStats(queue, knex),
          succeededChanged: deployChanges?.succeededChanged,
        });
        await setUpDeployStats({
          knex,
          scheduler: deps.scheduler,
          queue,
          logger: logger.child({ component: 'deploy-stats' }),
        });
        const dora: DoraOptions = {
          incidentStates: config.analytics.incidentStates,
          githubCommitsReadable: commitsReadable,
        };
        registerWeeklyDigestJob(queue, {
          knex,
          rootConfig: deps.config,
          notifications: deps.notifications,
          catalog,
          auth,
          logger: logger.child({ component: 'weekly-digest' }),
          dora,
        });
        await setUpDigestSchedule({
          knex,
          scheduler: deps.scheduler,
          queue,
          config: config.analytics.digest,
          logger: logger.child({ component: 'weekly-digest' }),
        });
        const { rbac } = config;
        const assignments = new DatabaseRoleAssignmentStore(knex);
        const loadAccess = (refs: string[]) =>
          loadProjectAccess(
            { assignments, catalog, auth, orgOwners: rbac.orgOwners },
            refs,
          );
        deps.permissionsRegistry.addResourceType({
          resourceRef: opshubProjectResourceRef,
          permissions: opshubPermissions,
          rules: [createHasRoleAtLeastRule(rbac.implicitOwnerRole)],
          getResources: loadAccess,
        });
        const authorizer = new ProjectAuthorizer({
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            opshubProjectResourceRef,
          ),
          loadAccess,
          servicePrincipals: rbac.servicePrincipals,
        });
        const activity = new DatabaseActivityLog(knex);
        lifecycle.addStartupHook(() => {
          queue.start();
          health.queue.start();
        });
        lifecycle.addShutdownHook(async () => {
          await Promise.all([queue.stop(), health.close()]);
          await jobs.close();
        });

        const intake = new WebhookIntake({
          knex,
          deliveries,
          repositories,
          queue,
          projects,
          findInCatalog: repoSlug =>
            findProjectsInCatalog({ catalog, auth, verifier }, repoSlug),
          logger,
          planOptions: {
            productionEnvironments: config.analytics.productionEnvironments,
          },
        });
        const bindings = new RepositoryBindings({
          projects,
          approvals: new DatabaseBindingApprovals(knex),
          verifier,
          requireVerifiedBinding: config.projects.requireVerifiedBinding,
          catalog,
          auth,
          async changed({ repoSlug, verified }) {
            repositories.clear();
            if (!verified) return;
            // The approval stands even if its repository's deliveries
            // cannot be planned again now.
            await intake
              .replanUnmatched([repoSlug])
              .catch(error =>
                logger.error(
                  `Could not plan the deliveries of ${repoSlug} again: ${error}`,
                ),
              );
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'opshub-project-sync',
          ...config.projectSyncSchedule,
          fn: async () => {
            await runProjectSync({
              catalog,
              auth,
              store: projects,
              logger,
              verifier,
              repositories,
              replanUnmatched: slugs => intake.replanUnmatched(slugs),
            });
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'opshub-retention',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const deleted = await applyRetention({
              jobs,
              deliveries,
              sentMessages: new SentMessages(knex),
              previews: new DatabasePreviewStore(knex),
              jobRetentionMs: config.queue.retentionMs,
              deliveryRetentionMs: config.github.deliveryRetentionMs,
              deployEvents: { knex, retentionMs: config.analytics.retentionMs },
            });
            logger.info(
              `Retention: deleted ${deleted.jobs} finished jobs, ${deleted.deliveries} webhook deliveries, ${deleted.sentMessages} sent-message records, ${deleted.pullRequestCloses} closes of PRs without a preview, ${deleted.deployEvents} deploy events and ${deleted.mergedPullRequests} merged pull requests`,
            );
          },
        });

        const { github } = config;
        if (!github.webhookSecret) {
          logger.warn(
            'opshub.github.webhookSecret is not set: GitHub deliveries are refused with 503',
          );
        }
        const audited = createAudited({ auditor: deps.auditor, activity });
        const mutationLimiter = createMutationLimiter({
          perMinute: rbac.mutationsPerMinute,
        });
        const previewDeps = {
          authorizer,
          audited,
          previews,
          queue,
          knex,
          notify,
        };
        httpRouter.use(
          createRouter({
            http: {
              httpAuth: deps.httpAuth,
              mutationLimiter,
            },
            webhook: {
              intake,
              verify: github.webhookSecret
                ? createGithubSignatureVerifier(
                    github.webhookSecret,
                    github.additionalWebhookSecrets,
                  )
                : undefined,
              maxPayloadBytes: github.maxPayloadBytes,
              maxConcurrentDeliveries: github.maxConcurrentDeliveries,
              bodyTimeoutMs: github.bodyTimeoutMs,
              maxBufferedBytes: github.maxBufferedBytes,
              logger,
            },
            summary: {
              authorizer,
              summaries: new EntitySummaryService({
                catalog,
                projects,
                bindings,
                counters: summaryCounters(previewCounters(knex), counters),
                logger,
              }),
            },
            projects: { authorizer, projects, access: rbac },
            bindings: { authorizer, audited, bindings },
            roles: {
              authorizer,
              audited,
              assignments,
              userInfo: deps.userInfo,
              loadAccess,
              implicitOwnerRole: rbac.implicitOwnerRole,
              orgOwners: rbac.orgOwners,
            },
            activity: { authorizer, activity },
            deliveries: { authorizer, audited, deliveries, intake },
            queue: { authorizer, audited, jobs },
            previews: previewDeps,
            envvars: {
              authorizer,
              audited,
              store: envVarStore,
              cipher: envVars.cipher,
              protectedEnvironments: config.envvars.protectedEnvironments,
            },
            encryption: { authorizer, audited, rotation: envVars.rotation },
            health: { authorizer, audited, ...health.routes },
            analytics: { authorizer, knex, access: rbac, dora },
          }),
        );
        registerOpsHubActions({
          actionsRegistry: deps.actionsRegistry,
          authorizer,
          catalog,
          limiter: mutationLimiter,
          previews: previewOperations(previewDeps),
          health: healthReads({ ...health.routes, now: Date.now }),
          analytics: { knex, dora, now: Date.now },
          envVars: envVarStore,
          deliveries,
        });
        for (const path of UNAUTHENTICATED_ROUTES) {
          httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
        }
      },
    });
  },
});

/** The built-in counters, then the modules' ones; ids stay unique. */
function summaryCounters(
  builtIn: OpsHubSummaryCounter[],
  fromModules: Map<string, OpsHubSummaryCounter>,
): OpsHubSummaryCounter[] {
  const all = new Map<string, OpsHubSummaryCounter>();
  addUnique(all, 'summary counter')(...builtIn, ...fromModules.values());
  return [...all.values()];
}

/** Adds what modules contribute by id; an id registered twice is an error. */
function addUnique<T extends { id: string }>(
  into: Map<string, T>,
  what: string,
) {
  return (...added: T[]) => {
    for (const item of added) {
      if (into.has(item.id)) {
        throw new Error(`OpsHub ${what} '${item.id}' is already registered`);
      }
      into.set(item.id, item);
    }
  };
}
