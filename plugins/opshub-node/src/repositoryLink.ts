import {
  PreviewProviderPermanentError,
  type PreviewSource,
} from './previewProviders';

/**
 * What a provider project (a Vercel project, a Netlify site) is linked to.
 *
 * @public
 */
export interface ProviderRepositoryLink {
  /** `owner/name` when it is linked to a repository on GitHub. */
  githubRepository?: string;
  /** What it is linked to, for a person; undefined when linked to nothing. */
  description?: string;
}

/**
 * For `PreviewProvider.checkRepository`: passes when the provider project is
 * linked to the PR's GitHub repository (compared case-insensitively), and
 * otherwise refuses with error class `configuration`, naming what it is
 * linked to.
 *
 * @public
 */
export function refuseUnlessLinkedTo(
  source: PreviewSource,
  project: {
    /** E.g. `Vercel project prj_web`, `Netlify site 1a2b`. */
    name: string;
    /** Where OpsHub builds, e.g. `in a project`, `on a site`. */
    place: string;
    link: ProviderRepositoryLink;
  },
): void {
  const { name, place, link } = project;
  const wanted = source.repository.trim().toLowerCase();
  if (link.githubRepository?.toLowerCase() === wanted) return;
  throw new PreviewProviderPermanentError(
    link.description
      ? `${name} is linked to ${link.description}, not to GitHub repository ${source.repository}`
      : `${name} is not linked to a Git repository; OpsHub builds ${source.entityRef} only ${place} linked to GitHub repository ${source.repository}`,
    'configuration',
  );
}
