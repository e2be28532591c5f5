/**
 * Exclusion groups of a preview's jobs (see `EnqueueOptions.group`): at most
 * one job of each runs at a time, across instances.
 */

/** Every provider call of one preview: build, check, destroy. */
export const previewGroup = (entityRef: string, prNumber: number) =>
  `preview:${entityRef}#${prNumber}`;

/** The preview's GitHub write-back. */
export const githubSyncGroup = (previewId: string) => `github:${previewId}`;

/** The preview's Slack messages. */
export const slackGroup = (previewId: string) => `slack:${previewId}`;
