import { durationToMilliseconds } from '@backstage/types';
import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';

/** `opshub.previews` config: the defaults every entity starts from. */
export interface PreviewRules {
  /** Build draft PRs at once instead of waiting for ready_for_review. */
  buildDrafts: boolean;
  /** A PR with this label gets no preview (and loses the one it has). */
  skipLabel: string;
  /** PR authors that never get a preview (bots), lower case. */
  skipAuthors: string[];
  /** A preview expires this long after the PR's last push. */
  ttlMs: number;
  /** Live previews an entity may have at once; more PRs are refused. */
  maxLive: number;
}

export const defaultPreviewRules: PreviewRules = {
  buildDrafts: false,
  skipLabel: 'opshub/skip',
  skipAuthors: ['dependabot[bot]', 'renovate[bot]'],
  ttlMs: 7 * 24 * 3600_000,
  maxLive: 10,
};

/** The annotations an entity overrides each rule with. */
export const PREVIEW_RULE_ANNOTATIONS = {
  buildDrafts: 'opshub.dev/preview-build-drafts',
  skipLabel: 'opshub.dev/preview-skip-label',
  skipAuthors: 'opshub.dev/preview-skip-authors',
  ttlHours: 'opshub.dev/preview-ttl-hours',
  maxLive: 'opshub.dev/preview-max-live',
} as const;

export function readPreviewRules(config?: Config): PreviewRules {
  if (!config) return defaultPreviewRules;
  return {
    buildDrafts:
      config.getOptionalBoolean('buildDrafts') ??
      defaultPreviewRules.buildDrafts,
    skipLabel:
      config.getOptionalString('skipLabel') ?? defaultPreviewRules.skipLabel,
    skipAuthors: (
      config.getOptionalStringArray('skipAuthors') ??
      defaultPreviewRules.skipAuthors
    ).map(author => author.toLowerCase()),
    ttlMs: config.has('ttl')
      ? durationToMilliseconds(readDurationFromConfig(config, { key: 'ttl' }))
      : defaultPreviewRules.ttlMs,
    maxLive: config.getOptionalNumber('maxLive') ?? defaultPreviewRules.maxLive,
  };
}

/**
 * The rules for one entity: config defaults, each overridden by the
 * entity's annotation when it holds a valid value (an invalid one is
 * ignored, never a reason to fail a PR's preview).
 */
export function rulesForEntity(
  defaults: PreviewRules,
  annotations: Record<string, string>,
): PreviewRules {
  const value = (key: string) => annotations[key]?.trim() || undefined;
  const drafts = value(PREVIEW_RULE_ANNOTATIONS.buildDrafts);
  const authors = value(PREVIEW_RULE_ANNOTATIONS.skipAuthors);
  const ttlHours = Number(value(PREVIEW_RULE_ANNOTATIONS.ttlHours));
  const maxLive = Number(value(PREVIEW_RULE_ANNOTATIONS.maxLive));
  return {
    buildDrafts:
      drafts === 'true' || drafts === 'false'
        ? drafts === 'true'
        : defaults.buildDrafts,
    skipLabel: value(PREVIEW_RULE_ANNOTATIONS.skipLabel) ?? defaults.skipLabel,
    skipAuthors: authors
      ? authors
          .split(',')
          .map(a => a.trim().toLowerCase())
          .filter(Boolean)
      : defaults.skipAuthors,
    ttlMs:
      Number.isFinite(ttlHours) && ttlHours > 0
        ? ttlHours * 3600_000
        : defaults.ttlMs,
    maxLive:
      Number.isInteger(maxLive) && maxLive >= 0 ? maxLive : defaults.maxLive,
  };
}

export type PreviewDecision =
  /** Build the head (or keep the build it has). */
  | { action: 'build' }
  /** A fork's head no maintainer approved yet: wait, with no secrets. */
  | { action: 'await-approval' }
  /** Tear down whatever preview the PR has. */
  | { action: 'teardown'; reason: string }
  /** Do nothing now (a draft waits for ready_for_review). */
  | { action: 'wait'; reason: string };

export interface PullRequestFacts {
  author: string;
  draft: boolean;
  labels: string[];
  headSha: string;
  fromFork: boolean;
}

/** What a PR event means for its preview under `rules`. */
export function decidePreview(
  rules: PreviewRules,
  pr: PullRequestFacts,
  approvedSha: string | null,
): PreviewDecision {
  if (pr.labels.includes(rules.skipLabel)) {
    return { action: 'teardown', reason: `labelled ${rules.skipLabel}` };
  }
  if (rules.skipAuthors.includes(pr.author.toLowerCase())) {
    return { action: 'teardown', reason: `authored by ${pr.author}` };
  }
  if (pr.draft && !rules.buildDrafts) {
    return { action: 'wait', reason: 'draft' };
  }
  if (pr.fromFork && approvedSha !== pr.headSha) {
    return { action: 'await-approval' };
  }
  return { action: 'build' };
}
