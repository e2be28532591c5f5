import type {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { opshubHealthChannel } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import type { EnvVarCipher } from '../envvars/EnvVarCipher';
import type { EnvVarStore } from '../envvars/EnvVarStore';
import { cachedEntityAnnotations } from '../projects/entityAnnotations';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { JobQueue, type JobQueueOptions } from '../queue/JobQueue';
import type { JobWakeups } from '../queue/wakeups';
import { setUpHealthAlerts } from './alerts/setUpHealthAlerts';
import { DatabaseHealthStore } from './DatabaseHealthStore';
import { createHeaderResolver } from './headers/resolveHeaders';
import type { HealthConfig } from './healthConfig';
import { NetworkPolicy } from './probe/networkPolicy';
import { createSsrfSafeProber } from './probe/ssrfSafeProber';
import { probeJobHandler } from './probeJobHandler';
import { HEALTH_PROBE_JOB } from './probeJobs';
import { createHostLimiter } from './hostLimiter';
import { createProbeRecorder } from './probeRecorder';
import { DatabaseMaintenanceWindows } from './maintenance/DatabaseMaintenanceWindows';
import { createPreviewChecks } from './previewChecks/previewChecks';
import { HealthRollupReads } from './rollups/HealthRollupReads';
import { setUpHealthRollups } from './rollups/setUpHealthRollups';
import type { HealthRoutesOptions } from './routes';
import {
  deleteFinishedProbeJobs,
  scheduleDueProbes,
} from './scheduleDueProbes';
import { syncAnnotationChecks } from './syncAnnotationChecks';

/**
 * Probe results finishing this close together are applied in one
 * transaction; a probe job ends once its result is committed.
 */
const PROBE_RESULT_LINGER_MS = 200;
/**
 * The health queue's own options. Probes come due steadily, a few ms apart:
 * claiming those of the next half second together and recording their
 * outcomes together costs the database one round trip for many probes
 * instead of two for each; every probe still starts at its due time.
 */
export const HEALTH_QUEUE_OPTIONS = {
  claimAheadMs: 500,
  settleDelayMs: 250,
  // Probes start at their due time, however busy the loop.
  maxEventLoopUtilization: 1,
};
/** Succeeded probe jobs are kept this long (they are the bulk of the jobs). */
const PROBE_JOB_RETENTION_MS = 60 * 60_000;

/**
 * Health checks' wiring: the network policy and the prober, the store, a
 * job queue of their own on the jobs table (probes never take the workers
 * of previews, nor previews those of probes), the schedule task that
 * enqueues due probes and decides alerts, the annotation and preview
 * check syncs, and the hourly rollups. The caller starts and stops `queue`
 * with the backend, and tells `previewChanged` of every preview change.
 */
export async function setUpHealth(deps: {
  knex: Knex;
  config: HealthConfig;
  queueOptions: JobQueueOptions;
  wakeups?: JobWakeups;
  /** When the annotation checks are synced (the project sync's schedule). */
  annotationSyncSchedule: SchedulerServiceTaskScheduleDefinition;
  scheduler: SchedulerService;
  signals: SignalsService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  /** `opshub.slack` is read for alerts, `app.baseUrl` for their links. */
  rootConfig: Config;
  /** Backstage notifications to owners; alerts go to Slack alone without. */
  notifications?: NotificationService;
  /** The entity variables `${env:NAME}` header references read (sealed). */
  envVars: EnvVarStore;
  /** Opens them, in memory, at probe time. */
  cipher: EnvVarCipher;
}): Promise<{
  queue: JobQueue;
  /** A preview changed (committed): its health check follows. */
  previewChanged(previewId: string): void;
  close(): Promise<void>;
  routes: Pick<
    HealthRoutesOptions,
    'store' | 'maintenance' | 'rollups' | 'policy' | 'config' | 'changed'
  >;
}> {
  const { knex, config, logger } = deps;
  const policy = new NetworkPolicy(config);
  const prober = createSsrfSafeProber({
    policy,
    maxRedirects: config.maxRedirects,
  });
  const store = new DatabaseHealthStore(knex);
  const jobs = new DatabaseJobStore(knex);
  const queue = new JobQueue(
    jobs,
    logger.child({ component: 'health-queue' }),
    {
      ...deps.queueOptions,
      concurrency: config.concurrency,
      typeConcurrency: {},
      ...HEALTH_QUEUE_OPTIONS,
    },
    deps.wakeups,
  );

  const changed = (entityRef: string) => {
    // Open Health cards refetch on this; it carries no health data.
    deps.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: opshubHealthChannel(entityRef),
        message: { entityRef },
      })
      .catch(error =>
        logger.warn(
          `Could not signal a health change of ${entityRef}: ${error}`,
        ),
      );
  };
  queue.register(
    HEALTH_PROBE_JOB,
    probeJobHandler({
      prober,
      hosts: createHostLimiter(config.perHostConcurrency),
      resolveHeaders: createHeaderResolver({
        envVars: deps.envVars,
        cipher: deps.cipher,
      }),
      apply: createProbeRecorder(store, { lingerMs: PROBE_RESULT_LINGER_MS }),
      changed,
    }),
    { concurrency: config.concurrency, maxAttempts: 1 },
  );
  const maintenance = new DatabaseMaintenanceWindows(knex);
  const alerts = setUpHealthAlerts({
    knex,
    rootConfig: deps.rootConfig,
    queue,
    notifications: deps.notifications,
    annotationsOf: cachedEntityAnnotations(deps),
    inMaintenance: (checkIds, atMs) =>
      maintenance.inMaintenance(checkIds, atMs),
    previewAlerts: config.previews.alert,
    logger: logger.child({ component: 'health-alerts' }),
  });
  const previewChecks = createPreviewChecks({
    knex,
    store,
    config: config.previews,
    policy,
    logger,
    changed,
  });

  await deps.scheduler.scheduleTask({
    id: 'opshub-health-schedule',
    // Every instance runs it (rows are claimed with SKIP LOCKED), on its
    // own timer: lag never waits on a cluster-wide lock.
    scope: 'local',
    frequency: { milliseconds: config.scheduleIntervalMs },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 1 },
    fn: async () => {
      const now = Date.now();
      await scheduleDueProbes({
        knex,
        queue,
        // Three intervals ahead: a late run of this task still enqueues
        // every probe before it is due.
        horizonMs: now + 3 * config.scheduleIntervalMs,
      });
      await alerts.evaluate(now);
      await deleteFinishedProbeJobs(knex, now - PROBE_JOB_RETENTION_MS);
    },
  });
  await deps.scheduler.scheduleTask({
    id: 'opshub-health-annotation-sync',
    ...deps.annotationSyncSchedule,
    fn: async () => {
      const result = await syncAnnotationChecks({
        catalog: deps.catalog,
        auth: deps.auth,
        store,
        policy,
        logger,
        changed,
      });
      if (result.created + result.updated + result.deleted > 0) {
        logger.info(
          `Health annotation sync: ${result.created} created, ${result.updated} updated, ${result.deleted} deleted`,
        );
      }
    },
  });

  await deps.scheduler.scheduleTask({
    id: 'opshub-health-preview-sync',
    // Repairs what a crash or a missed change left; changes sync at once.
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 30 },
    fn: async () => {
      const r = await previewChecks.syncAll();
      if (r.created + r.updated + r.deleted > 0) {
        logger.info(
          `Health preview sync: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted`,
        );
      }
    },
  });
  await setUpHealthRollups({
    knex,
    config,
    logger,
    scheduler: deps.scheduler,
  });

  return {
    queue,
    previewChanged: previewChecks.previewChanged,
    async close() {
      await queue.stop();
      await previewChecks.settled();
      await jobs.close();
      await prober.close();
    },
    routes: {
      store,
      maintenance,
      rollups: new HealthRollupReads(knex),
      policy,
      config,
      changed,
    },
  };
}
