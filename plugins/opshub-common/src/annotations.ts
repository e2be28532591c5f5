/**
 * The catalog annotations OpsHub reads from an entity.
 *
 * @public
 */
export const OPSHUB_ANNOTATIONS = {
  /** `owner/repo` of the GitHub repository whose pull requests get previews. */
  projectSlug: 'github.com/project-slug',
  /** Which preview provider deploys the entity: `vercel`, `netlify` or `mock`. */
  previewProvider: 'opshub.dev/preview-provider',
  /** The Vercel project that builds the previews. */
  vercelProjectId: 'vercel.com/project-id',
  /** The Netlify site that builds the previews. */
  netlifySiteId: 'netlify.com/site-id',
  /** The Slack channel that hears about previews. */
  slackChannel: 'slack.com/bot-notify',
  /** A URL OpsHub probes with a default health check, kept in sync with it. */
  healthUrl: 'opshub.dev/health-url',
} as const;

/**
 * The preview providers OpsHub knows by name.
 *
 * @public
 */
export const PREVIEW_PROVIDERS = ['vercel', 'netlify', 'mock'] as const;

/** @public */
export type PreviewProviderId = (typeof PREVIEW_PROVIDERS)[number];
