import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import { type Config, readDurationFromConfig } from '@backstage/config';
import {
  isOpsHubRole,
  OPSHUB_ROLES,
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import type { JobQueueOptions } from './queue/JobQueue';
import { type PreviewRules, readPreviewRules } from './previews/previewRules';
import { normalizeSubjectRef } from './rbac/subjectRef';
import { defaultJobQueueOptions } from './queue/JobQueue';

const MiB = 1024 * 1024;

export interface OpsHubBackendConfig {
  projectSyncSchedule: SchedulerServiceTaskScheduleDefinition;
  github: {
    webhookSecret?: string;
    additionalWebhookSecrets: string[];
    maxPayloadBytes: number;
    maxConcurrentDeliveries: number;
    deliveryRetentionMs: number;
    /** Statuses, deployments and comments OpsHub creates a minute, per instance. */
    contentWritesPerMinute: number;
  };
  queue: JobQueueOptions & { retentionMs: number };
  previews: PreviewRules & {
    /** How often a running build is looked at. */
    checkIntervalMs: number;
    /** A build still running after this long fails as `timeout`. */
    buildTimeoutMs: number;
    /**
     * A queued, building or destroying preview unchanged this long, with no
     * job left to move it, fails as `stuck` (the watchdog).
     */
    stuckAfterMs: number;
  };
  /** `opshub.providers.mock`, for the built-in mock provider. */
  mockProvider?: Config;
  rbac: {
    /** The role members of an entity's catalog owner get; undefined: none. */
    implicitOwnerRole?: OpsHubRole;
    /** User and group refs that own the installation (lower case). */
    orgOwners: string[];
    /** Mutating requests each user may make per minute. */
    mutationsPerMinute: number;
  };
}

/** Reads `opshub.*`, filling in the documented defaults (config.d.ts). */
export function readOpsHubConfig(
  config: RootConfigService,
): OpsHubBackendConfig {
  const opshub = config.getOptionalConfig('opshub');
  const sync = opshub?.getOptionalConfig('projectSync.schedule');
  const github = opshub?.getOptionalConfig('github');
  const queue = opshub?.getOptionalConfig('queue');
  const previews = opshub?.getOptionalConfig('previews');
  const ms = (key: string, fallback: number, from = queue) =>
    from?.has(key)
      ? durationToMilliseconds(readDurationFromConfig(from, { key }))
      : fallback;
  const buildTimeoutMs = ms('buildTimeout', 30 * 60_000, previews);

  return {
    projectSyncSchedule: sync
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(sync)
      : {
          frequency: { minutes: 5 },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 5 },
        },
    github: {
      webhookSecret: github?.getOptionalString('webhookSecret'),
      additionalWebhookSecrets:
        github?.getOptionalStringArray('additionalWebhookSecrets') ?? [],
      maxPayloadBytes: github?.getOptionalNumber('maxPayloadBytes') ?? 25 * MiB,
      maxConcurrentDeliveries:
        github?.getOptionalNumber('maxConcurrentDeliveries') ?? 32,
      deliveryRetentionMs: ms('deliveryRetention', 14 * 24 * 3600_000, github),
      contentWritesPerMinute:
        github?.getOptionalNumber('contentWritesPerMinute') ?? 60,
    },
    queue: {
      concurrency:
        queue?.getOptionalNumber('concurrency') ??
        defaultJobQueueOptions.concurrency,
      leaseMs: ms('lease', defaultJobQueueOptions.leaseMs),
      pollIntervalMs: ms('pollInterval', defaultJobQueueOptions.pollIntervalMs),
      recoveryIntervalMs: ms(
        'recoveryInterval',
        defaultJobQueueOptions.recoveryIntervalMs,
      ),
      shutdownGraceMs: ms(
        'shutdownGrace',
        defaultJobQueueOptions.shutdownGraceMs,
      ),
      backoff: {
        baseMs: ms('retryBackoff.base', defaultJobQueueOptions.backoff.baseMs),
        capMs: ms('retryBackoff.cap', defaultJobQueueOptions.backoff.capMs),
      },
      typeConcurrency: Object.fromEntries(
        (queue?.getOptionalConfig('typeConcurrency')?.keys() ?? []).map(
          type => [type, queue!.getNumber(`typeConcurrency.${type}`)],
        ),
      ),
      retentionMs: ms('retention', 7 * 24 * 3600_000),
    },
    previews: {
      ...readPreviewRules(previews),
      checkIntervalMs: ms('checkInterval', 5_000, previews),
      buildTimeoutMs,
      stuckAfterMs: ms('stuckAfter', buildTimeoutMs + 15 * 60_000, previews),
    },
    mockProvider: opshub?.getOptionalConfig('providers.mock'),
    rbac: {
      implicitOwnerRole: readImplicitOwnerRole(opshub),
      orgOwners: readOrgOwners(opshub),
      mutationsPerMinute:
        opshub?.getOptionalNumber('rbac.mutationsPerMinute') ?? 60,
    },
  };
}

function readImplicitOwnerRole(opshub?: Config): OpsHubRole | undefined {
  const key = 'rbac.implicitOwnerRole';
  if (!opshub?.has(key)) return 'maintainer';
  if (opshub.getOptional(key) === false) return undefined;
  const role = opshub.getString(key);
  if (!isOpsHubRole(role)) {
    throw new Error(
      `opshub.${key} must be one of ${OPSHUB_ROLES.join(
        ', ',
      )} or false, not '${role}'`,
    );
  }
  return role;
}

function readOrgOwners(opshub?: Config): string[] {
  const refs = opshub?.getOptionalStringArray('rbac.orgOwners') ?? [];
  return refs.map(ref => {
    const subject = normalizeSubjectRef(ref);
    if (!subject) {
      throw new Error(
        `opshub.rbac.orgOwners entries must be user or group refs like user:default/jane, not '${ref}'`,
      );
    }
    return subject;
  });
}
