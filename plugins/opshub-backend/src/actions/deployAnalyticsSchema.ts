import {
  DEPLOY_ENVIRONMENT_CLASSES,
  DEPLOY_ERROR_CLASSES,
  DEPLOY_OUTCOMES,
  DORA_RATINGS,
} from '@opshub/plugin-opshub-common';
import type { z } from 'zod/v3';

const REASONS = [
  'no-deploys',
  'no-deployed-changes',
  'no-github-credentials',
  'no-recovered-incidents',
] as const;

/** What every DORA key has besides its numbers. */
const rated = (zod: typeof z) => ({
  rating: zod
    .enum(DORA_RATINGS)
    .nullable()
    .describe(
      'DORA performance level, best first: elite, high, medium, low; null when the value is unknown.',
    ),
  reason: zod
    .enum(REASONS)
    .nullable()
    .describe(
      'Why the value is unknown: no-deploys, no-deployed-changes (no merged pull request reached production), no-github-credentials (lead time needs them), no-recovered-incidents; null when known.',
    ),
});

const doraOutput = (zod: typeof z) =>
  zod
    .object({
      deploymentFrequency: zod.object({
        medianDeployDaysPerWeek: zod.number().nullable(),
        medianDeployDaysPerMonth: zod.number().nullable(),
        deploys: zod
          .number()
          .describe('Successful production deploys finished in the window.'),
        ...rated(zod),
      }),
      leadTimeForChanges: zod.object({
        medianHours: zod
          .number()
          .nullable()
          .describe(
            "Median hours from a pull request's first commit to the first production deploy containing it.",
          ),
        changes: zod
          .number()
          .describe('Merged pull requests first deployed in the window.'),
        ...rated(zod),
      }),
      changeFailureRate: zod.object({
        value: zod
          .number()
          .nullable()
          .describe(
            'Deploys with at least one incident attributed ÷ deploys (0..1).',
          ),
        failedDeploys: zod.number(),
        deploys: zod.number(),
        ...rated(zod),
      }),
      recoveryTime: zod.object({
        medianHours: zod
          .number()
          .nullable()
          .describe(
            'Median hours from the attributed deploy to the incident closing.',
          ),
        incidents: zod.number(),
        ...rated(zod),
      }),
    })
    .describe(
      "DORA's four keys over the window, from successful production deploys whatever `environment` is.",
    );

const percentiles = (zod: typeof z) =>
  zod
    .object({
      p50Ms: zod.number().nullable(),
      p95Ms: zod.number().nullable(),
      p99Ms: zod.number().nullable(),
    })
    .describe(
      'Nearest-rank percentiles in milliseconds over succeeded deploys; null without any.',
    );

const deployEvent = (zod: typeof z) =>
  zod.object({
    id: zod.string(),
    entityRef: zod.string(),
    environment: zod
      .string()
      .describe('The raw environment name (preview for previews).'),
    environmentClass: zod.enum(DEPLOY_ENVIRONMENT_CLASSES),
    source: zod.enum(['preview', 'github']),
    provider: zod.string(),
    repository: zod.string().nullable(),
    headSha: zod.string(),
    prNumber: zod.number().nullable(),
    previewId: zod.string().nullable(),
    url: zod.string().nullable(),
    outcome: zod
      .enum(DEPLOY_OUTCOMES)
      .nullable()
      .describe('Null while it runs.'),
    errorClass: zod.enum(DEPLOY_ERROR_CLASSES).nullable(),
    errorCode: zod.string().nullable(),
    queuedAt: zod.string(),
    startedAt: zod.string().nullable(),
    finishedAt: zod.string().nullable(),
    queueTimeMs: zod.number().nullable(),
    buildTimeMs: zod.number().nullable(),
    totalTimeMs: zod.number().nullable(),
  });

/** `opshub:get-deploy-analytics`'s answer: the entity analytics route's. */
export const deployAnalyticsOutput = (zod: typeof z) =>
  zod.object({
    from: zod.string().describe('First day of the window (YYYY-MM-DD, UTC).'),
    to: zod.string().describe('Last day of the window, included.'),
    environment: zod
      .enum(DEPLOY_ENVIRONMENT_CLASSES)
      .nullable()
      .describe('The environment class counted; null for all.'),
    deploys: zod.object({
      total: zod.number(),
      succeeded: zod.number(),
      failed: zod.number(),
      cancelled: zod.number(),
      superseded: zod
        .number()
        .describe(
          'Replaced by a newer head before finishing; not in the success rate.',
        ),
      successRate: zod
        .number()
        .nullable()
        .describe(
          'succeeded ÷ (succeeded + failed + cancelled), 0..1; null without any.',
        ),
      byDay: zod
        .array(
          zod.object({
            date: zod.string(),
            succeeded: zod.number(),
            failed: zod.number(),
            cancelled: zod.number(),
          }),
        )
        .describe('Every day of the window, oldest first.'),
    }),
    totalTime: percentiles(zod),
    buildTime: percentiles(zod),
    errorClasses: zod
      .array(
        zod.object({
          class: zod.enum(DEPLOY_ERROR_CLASSES),
          count: zod.number(),
        }),
      )
      .describe('Failed deploys by error class, most first.'),
    recent: zod
      .array(deployEvent(zod))
      .describe("The window's newest deploys, newest first (at most 50)."),
    dora: doraOutput(zod),
  });
