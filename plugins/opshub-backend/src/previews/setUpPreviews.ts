import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { opshubPreviewsChannel } from '@opshub/plugin-opshub-common';
import type { PreviewProvider } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import type { OpsHubBackendConfig } from '../config';
import type { EnvVarCipher } from '../envvars/EnvVarCipher';
import type { EnvVarStore } from '../envvars/EnvVarStore';
import { githubWriteBack } from '../github/githubWriteBack';
import type { ProjectStore } from '../projects/ProjectStore';
import type { DeployErrorClassifier } from '../analytics/taxonomy/deployErrorTaxonomy';
import { enqueueDeployStats } from '../analytics/metrics/setUpDeployStats';
import { cachedEntityAnnotations } from '../projects/entityAnnotations';
import type { JobQueue } from '../queue/JobQueue';
import { slackNotifications } from '../slack/slackNotifications';
import { DatabasePreviewStore } from './DatabasePreviewStore';
import { MockPreviewProvider } from './MockPreviewProvider';
import { PreviewDeploys } from './PreviewDeploys';
import { PreviewEnvPushes } from './PreviewEnvPushes';
import { ProviderRepositoryChecks } from './ProviderRepositoryChecks';
import type { PreviewEvent } from './previewJobHandlers';
import { failStuckPreviews } from './previewWatchdog';
import { reconcilePreviews } from './reconcilePreviews';
import { registerPreviewJobs } from './registerPreviewJobs';
import { sweepExpiredPreviews } from './sweepExpiredPreviews';

/**
 * The preview capability, wired: the built-in mock provider beside the
 * modules' ones, the lifecycle jobs, GitHub write-back and Slack messages
 * (each when configured), the TTL sweep, the watchdog that fails previews
 * whose jobs died (`previewWatchdog.ts`) and the reconcile task; each
 * build first pushes the preview's environment variables to a provider
 * that takes them. Returns the
 * store and the change hook the routes use.
 */
export async function setUpPreviews(deps: {
  rootConfig: RootConfigService;
  config: OpsHubBackendConfig;
  knex: Knex;
  queue: JobQueue;
  projects: ProjectStore;
  /** Pushed to each preview's provider before it builds (sealed here). */
  envVars: EnvVarStore;
  cipher: EnvVarCipher;
  providers: Map<string, PreviewProvider>;
  /** Classifies each failed deploy (OpsHub's table plus the modules'). */
  errorTaxonomy: DeployErrorClassifier;
  catalog: CatalogService;
  auth: AuthService;
  signals: SignalsService;
  scheduler: SchedulerService;
  logger: LoggerService;
  /**
   * Told of every committed change of a preview (as `notify` is): the
   * health checks of previews follow it.
   */
  onPreviewChange?(previewId: string): void;
}) {
  const { config, knex, queue, projects, providers, logger } = deps;
  // The built-in mock provider only where opshub.providers.mock asks for it.
  if (config.mockProvider && !providers.has('mock')) {
    providers.set('mock', MockPreviewProvider.fromConfig(config.mockProvider));
  }
  const previews = new DatabasePreviewStore(knex, {
    errorClassifier: deps.errorTaxonomy,
  });
  const annotationsOf = cachedEntityAnnotations(deps);
  const warn = (what: string) => (error: unknown) =>
    logger.warn(`Could not ${what}: ${error}`);

  const writeBack = githubWriteBack(deps.rootConfig, {
    previews,
    knex,
    writesPerMinute: config.github.contentWritesPerMinute,
  });
  if (writeBack) queue.register(writeBack.type, writeBack.handler);
  const slack = slackNotifications(deps.rootConfig, {
    knex,
    previews,
    annotationsOf,
  });
  if (slack) {
    queue.register(slack.type, slack.handler, {
      maxAttempts: slack.maxAttempts,
    });
  }

  const notify = (preview: { id: string; entityRef: string }) => {
    // Open Previews tabs refetch on this; it carries no preview data.
    deps.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: opshubPreviewsChannel(preview.entityRef),
        message: { entityRef: preview.entityRef },
      })
      .catch(warn('signal a preview change'));
    writeBack
      ?.enqueue(queue, preview.id)
      .catch(warn('queue the GitHub write-back'));
    // A build's deploy event may have changed: the daily stats catch up
    // (one waiting job however many changes).
    enqueueDeployStats(queue, knex).catch(warn('queue the deploy stats'));
    deps.onPreviewChange?.(preview.id);
  };
  // `transition` is unique per change of the preview (`ready#<build>`):
  // one Slack message each, however often the lifecycle tells of it.
  const announce = (
    previewId: string,
    event: PreviewEvent,
    transition: string,
  ) => {
    slack
      ?.enqueue(queue, previewId, event, transition)
      .catch(warn('queue a Slack message'));
  };
  registerPreviewJobs(queue, {
    knex,
    previews,
    deploys: new PreviewDeploys(knex),
    repositoryChecks: new ProviderRepositoryChecks(knex),
    projects,
    envVars: deps.envVars,
    cipher: deps.cipher,
    envPushes: new PreviewEnvPushes(knex),
    providers,
    annotationsOf,
    notify,
    announce,
    queue,
    rules: config.previews,
    checkIntervalMs: config.previews.checkIntervalMs,
    buildTimeoutMs: config.previews.buildTimeoutMs,
    logger: logger.child({ component: 'previews' }),
  });

  await deps.scheduler.scheduleTask({
    id: 'opshub-preview-ttl-sweep',
    frequency: { minutes: 10 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const expired = await sweepExpiredPreviews({ knex, previews, queue });
      if (expired > 0) {
        logger.info(`Preview TTL sweep: ${expired} previews expire`);
      }
    },
  });
  await deps.scheduler.scheduleTask({
    id: 'opshub-preview-watchdog',
    frequency: { minutes: 5 },
    timeout: { minutes: 2 },
    initialDelay: { minutes: 3 },
    fn: async () => {
      const stuck = await failStuckPreviews({
        knex,
        stuckAfterMs: config.previews.stuckAfterMs,
        notify,
        announce,
      });
      for (const p of stuck) {
        logger.warn(
          `Preview watchdog: ${p.entityRef}#${p.prNumber} was ${p.was} with no job left to move it; failed as stuck`,
        );
      }
    },
  });
  if (writeBack) {
    await deps.scheduler.scheduleTask({
      id: 'opshub-preview-reconcile',
      frequency: { minutes: 15 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 2 },
      fn: async () => {
        const { queued, tornDown } = await reconcilePreviews({
          knex,
          projects,
          previews,
          queue,
          clientFor: writeBack.clientFor,
        });
        if (queued + tornDown > 0) {
          logger.info(
            `Preview reconcile: ${queued} PRs queued, ${tornDown} closed PRs torn down`,
          );
        }
      },
    });
  }
  return { previews, notify };
}
