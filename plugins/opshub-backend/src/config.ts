import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds } from '@backstage/types';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { type Config, readDurationFromConfig } from '@backstage/config';
import {
  isOpsHubRole,
  OPSHUB_ROLES,
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import {
  type OpsHubEncryptionKey,
  readCallTimeoutMs,
} from '@opshub/plugin-opshub-node';
import { readEncryptionKeys } from './envvars/configKeyRing';
import {
  type AnalyticsConfig,
  readAnalyticsConfig,
} from './analytics/analyticsConfig';
import { type HealthConfig, readHealthConfig } from './health/healthConfig';
import type { JobQueueOptions } from './queue/JobQueue';
import { type PreviewRules, readPreviewRules } from './previews/previewRules';
import type { ApprovedBinding } from './projects/bindings';
import {
  parseServicePrincipals,
  type ServicePrincipalRole,
} from './rbac/servicePrincipals';
import { normalizeSubjectRef } from './rbac/subjectRef';
import { defaultJobQueueOptions } from './queue/JobQueue';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
} from './webhooks/githubWebhookRoute';
import type { WebhookSecret } from './webhooks/verifyGithubSignature';

const MiB = 1024 * 1024;

export interface OpsHubBackendConfig {
  projectSyncSchedule: SchedulerServiceTaskScheduleDefinition;
  github: {
    webhookSecret?: string;
    /** Plain strings become `{ secret }`: unscoped. */
    additionalWebhookSecrets: WebhookSecret[];
    maxPayloadBytes: number;
    maxConcurrentDeliveries: number;
    /** A body not received this long after its headers gets 408. */
    bodyTimeoutMs: number;
    /** Bytes of bodies buffered at once per instance; beyond it, 503. */
    maxBufferedBytes: number;
    deliveryRetentionMs: number;
    /** Statuses, deployments and comments OpsHub creates a minute, per instance. */
    contentWritesPerMinute: number;
    /** Bindings the config approves (lower case). */
    approvedBindings: ApprovedBinding[];
  };
  projects: {
    /** Only verified repository bindings act; false: a sole claim does too. */
    requireVerifiedBinding: boolean;
  };
  queue: JobQueueOptions & {
    retentionMs: number;
    /** Attempts of a job whose type names none. */
    maxAttempts: number;
    /** Bounds each outbound call of a job (providers, GitHub, Slack). */
    callTimeoutMs: number;
  };
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
    /** Mutating requests each user or service may make per minute. */
    mutationsPerMinute: number;
    /** Service principals' org-level roles; others may do nothing. */
    servicePrincipals: ServicePrincipalRole[];
  };
  envvars: {
    /** Environments whose variables need `opshub.envvar.write.production`. */
    protectedEnvironments: string[];
  };
  encryption: {
    /** `opshub.encryption.keys`, validated; the first is active. */
    keys: OpsHubEncryptionKey[];
  };
  health: HealthConfig;
  analytics: AnalyticsConfig;
}

/**
 * The main job queue runs fewer jobs at once while the event loop is busier
 * than this: it keeps about a third of the loop for webhook deliveries and
 * API requests.
 */
export const DEFAULT_MAX_EVENT_LOOP_UTILIZATION = 0.7;

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
  const maxPayloadBytes =
    github?.getOptionalNumber('maxPayloadBytes') ?? 25 * MiB;

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
      additionalWebhookSecrets: readAdditionalWebhookSecrets(github),
      maxPayloadBytes,
      maxConcurrentDeliveries:
        github?.getOptionalNumber('maxConcurrentDeliveries') ?? 32,
      bodyTimeoutMs: readBodyTimeout(github),
      maxBufferedBytes: readMaxBufferedBytes(github, maxPayloadBytes),
      deliveryRetentionMs: ms('deliveryRetention', 14 * 24 * 3600_000, github),
      contentWritesPerMinute:
        github?.getOptionalNumber('contentWritesPerMinute') ?? 60,
      approvedBindings: readApprovedBindings(github),
    },
    projects: { requireVerifiedBinding: readRequireVerifiedBinding(config) },
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
      maxAttempts: readMaxAttempts(queue),
      maxEventLoopUtilization: readMaxEventLoopUtilization(queue),
      callTimeoutMs: readCallTimeoutMs(config),
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
      servicePrincipals: parseServicePrincipals(
        opshub?.getOptional('rbac.servicePrincipals'),
      ),
    },
    envvars: { protectedEnvironments: readProtectedEnvironments(opshub) },
    encryption: { keys: readEncryptionKeys(opshub) },
    health: readHealthConfig(opshub),
    analytics: readAnalyticsConfig(opshub),
  };
}

/** `opshub.queue.maxAttempts`: a whole number of at least 1, default 5. */
function readMaxAttempts(queue?: Config): number {
  const attempts = queue?.getOptionalNumber('maxAttempts') ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new Error(
      `opshub.queue.maxAttempts must be a whole number of at least 1, not ${attempts}`,
    );
  }
  return attempts;
}

/**
 * `opshub.queue.maxEventLoopUtilization`: above 0, at most 1, default
 * {@link DEFAULT_MAX_EVENT_LOOP_UTILIZATION}.
 */
function readMaxEventLoopUtilization(queue?: Config): number {
  const share =
    queue?.getOptionalNumber('maxEventLoopUtilization') ??
    DEFAULT_MAX_EVENT_LOOP_UTILIZATION;
  if (!(share > 0 && share <= 1)) {
    throw new Error(
      `opshub.queue.maxEventLoopUtilization must be above 0 and at most 1, not ${share}`,
    );
  }
  return share;
}

/**
 * `opshub.envvars.protectedEnvironments`: environment names, default
 * `[production]`; an empty list protects none.
 */
function readProtectedEnvironments(opshub?: Config): string[] {
  const key = 'opshub.envvars.protectedEnvironments';
  const names = opshub?.getOptionalStringArray('envvars.protectedEnvironments');
  if (names === undefined) return ['production'];
  for (const name of names) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) {
      throw new Error(
        `${key}: '${name}' is not an environment name (^[a-z][a-z0-9-]{0,31}$)`,
      );
    }
  }
  return [...new Set(names)];
}

const OWNER = /^[A-Za-z0-9_.-]+$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * `opshub.github.additionalWebhookSecrets`: strings (unscoped) or
 * `{ secret, owners?, repositories? }`. A scope must name something, so a
 * list left empty never silently means every repository. Errors never
 * include a secret.
 */
function readAdditionalWebhookSecrets(github?: Config): WebhookSecret[] {
  const key = 'opshub.github.additionalWebhookSecrets';
  const entries = github?.getOptional('additionalWebhookSecrets') ?? [];
  if (!Array.isArray(entries)) throw new Error(`${key} must be a list`);
  return entries.map((entry, i) => {
    const at = `${key}[${i}]`;
    if (typeof entry === 'string') {
      if (!entry) throw new Error(`${at} must not be empty`);
      return { secret: entry };
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(
        `${at} must be a string or { secret, owners?, repositories? }`,
      );
    }
    const { secret, owners, repositories, ...rest } = entry;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new Error(
        `${at} has unknown keys ${unknown.join(
          ', ',
        )}; it takes secret, owners and repositories`,
      );
    }
    if (typeof secret !== 'string' || !secret) {
      throw new Error(`${at}.secret must be a non-empty string`);
    }
    const names = (
      name: 'owners' | 'repositories',
      value: unknown,
      pattern: RegExp,
      example: string,
    ) => {
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) {
        throw new Error(`${at}.${name} must be a list like [${example}]`);
      }
      for (const item of value) {
        if (typeof item !== 'string' || !pattern.test(item)) {
          throw new Error(
            `${at}.${name} entries must be like ${example}, not '${item}'`,
          );
        }
      }
      return value as string[];
    };
    const scoped: WebhookSecret = { secret };
    const ownerList = names('owners', owners, OWNER, 'acme');
    const repositoryList = names(
      'repositories',
      repositories,
      REPOSITORY,
      'acme/storefront',
    );
    if (ownerList) scoped.owners = ownerList;
    if (repositoryList) scoped.repositories = repositoryList;
    if (
      (ownerList || repositoryList) &&
      !ownerList?.length &&
      !repositoryList?.length
    ) {
      throw new Error(
        `${at} names no owner or repository; leave both out for a secret valid for every repository`,
      );
    }
    return scoped;
  });
}

function readBodyTimeout(github?: Config): number {
  if (!github?.has('bodyTimeout')) return DEFAULT_BODY_TIMEOUT_MS;
  const timeoutMs = durationToMilliseconds(
    readDurationFromConfig(github, { key: 'bodyTimeout' }),
  );
  if (!(timeoutMs > 0)) {
    throw new Error('opshub.github.bodyTimeout must be longer than 0');
  }
  return timeoutMs;
}

function readMaxBufferedBytes(
  github: Config | undefined,
  maxPayloadBytes: number,
): number {
  const max =
    github?.getOptionalNumber('maxBufferedBytes') ?? DEFAULT_MAX_BUFFERED_BYTES;
  if (max < maxPayloadBytes) {
    throw new Error(
      `opshub.github.maxBufferedBytes (${max}) must be at least maxPayloadBytes (${maxPayloadBytes}), or the largest bodies could never be accepted`,
    );
  }
  return max;
}

/** `opshub.projects.requireVerifiedBinding`, true unless set to false. */
export function readRequireVerifiedBinding(config: Config): boolean {
  return (
    config.getOptionalBoolean('opshub.projects.requireVerifiedBinding') ?? true
  );
}

/**
 * `opshub.github.approvedBindings`: `{ entityRef, repository }` entries, as
 * lower-case full entity refs and `owner/name`.
 */
function readApprovedBindings(github?: Config): ApprovedBinding[] {
  const key = 'opshub.github.approvedBindings';
  return (github?.getOptionalConfigArray('approvedBindings') ?? []).map(
    (entry, i) => {
      const ref = entry.getString('entityRef');
      const repository = entry.getString('repository');
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'component',
            defaultNamespace: 'default',
          }),
        );
      } catch {
        throw new Error(
          `${key}[${i}].entityRef must be an entity ref like component:default/storefront, not '${ref}'`,
        );
      }
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
        throw new Error(
          `${key}[${i}].repository must be owner/name, not '${repository}'`,
        );
      }
      return { entityRef, repository: repository.toLocaleLowerCase('en-US') };
    },
  );
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
