import { ANNOTATION_LOCATION } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import type {
  OpsHubBinding,
  OpsHubBindingVerification,
} from '@opshub/plugin-opshub-common';
import type { BindingApproval, TrackedProject } from './ProjectStore';

/**
 * Repository bindings: an entity's `github.com/project-slug` is a claim on
 * a repository, which OpsHub believes only when something proves it (the
 * binding is verified):
 *
 * - `location`: the entity's `backstage.io/managed-by-location`, which the
 *   catalog sets (not the entity's author), is a URL inside that repository
 *   on a GitHub host of `integrations.github`;
 * - `config`: `opshub.github.approvedBindings` names the entity and the
 *   repository;
 * - `approval`: an org owner approved it (`PUT /org/bindings/...`), and the
 *   entity still names the approved repository;
 * - `not-required`: `opshub.projects.requireVerifiedBinding` is false and no
 *   other project names the repository.
 *
 * Only projects with a verified binding act: their repository's deliveries
 * become their jobs, the reconcile task looks at their PRs, and GitHub
 * write-back writes for their previews. Several entities may name one
 * repository; then only the verified ones act, whatever the setting.
 */

/** `opshub.github.approvedBindings`, lower case. */
export interface ApprovedBinding {
  entityRef: string;
  repository: string;
}

/** The annotation that proves a binding; the catalog sets it. */
export const LOCATION_ANNOTATION = ANNOTATION_LOCATION;

/** The GitHub hosts of `integrations.github` (github.com always among them), lower case. */
export function githubHosts(config: Config): string[] {
  return ScmIntegrations.fromConfig(config)
    .github.list()
    .map(integration => integration.config.host.toLocaleLowerCase('en-US'));
}

/**
 * The repository (`owner/repo`, lower case) a catalog location is inside:
 * a `url:` location (or a bare http(s) URL) on one of `hosts` whose path
 * starts with the owner and the repository. Anything else (a `file:`
 * location, another host, a path that is not a repository) is undefined.
 */
export function locationRepository(
  location: string | undefined,
  hosts: readonly string[],
): string | undefined {
  if (!location) return undefined;
  let target: string;
  if (/^url:/i.test(location)) target = location.slice(4);
  else if (/^https?:\/\//i.test(location)) target = location;
  else return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (!hosts.includes(url.host.toLocaleLowerCase('en-US'))) return undefined;
  const [root, owner, repo] = url.pathname.split('/');
  if (root !== '' || !owner || !repo) return undefined;
  return `${owner}/${repo}`.toLocaleLowerCase('en-US');
}

/** What a catalog read proves of entities' bindings: their location, the config. */
export class BindingVerifier {
  private readonly hosts: readonly string[];
  private readonly approved: Set<string>;

  constructor(
    options: {
      /** GitHub hosts, lower case; github.com by default. */
      hosts?: readonly string[];
      approvedBindings?: readonly ApprovedBinding[];
    } = {},
  ) {
    this.hosts = options.hosts ?? ['github.com'];
    this.approved = new Set(
      (options.approvedBindings ?? []).map(b =>
        approvalKey(b.entityRef, b.repository),
      ),
    );
  }

  static fromConfig(
    rootConfig: Config,
    approvedBindings: readonly ApprovedBinding[],
  ): BindingVerifier {
    return new BindingVerifier({
      hosts: githubHosts(rootConfig),
      approvedBindings,
    });
  }

  /** How the entity's location or the config proves its claim, if they do. */
  verify(project: {
    entityRef: string;
    repoSlug: string;
    location?: string;
  }): 'location' | 'config' | undefined {
    const repoSlug = project.repoSlug.toLocaleLowerCase('en-US');
    if (locationRepository(project.location, this.hosts) === repoSlug) {
      return 'location';
    }
    if (this.approved.has(approvalKey(project.entityRef, repoSlug))) {
      return 'config';
    }
    return undefined;
  }

  /** Where a catalog-info.yaml proves a claim on the repository, for messages. */
  whereToRegister(repoSlug: string): string {
    const inside = this.hosts.map(host => `${host}/${repoSlug}`);
    return inside.length === 1
      ? inside[0]
      : `${inside.slice(0, -1).join(', ')} or ${inside[inside.length - 1]}`;
  }
}

function approvalKey(entityRef: string, repository: string): string {
  return `${entityRef}|${repository}`.toLocaleLowerCase('en-US');
}

/**
 * How a project's binding is verified, the policy applied: what the catalog
 * read proved, else an approval of the repository it names, else
 * `not-required` when verification is off and the project is the only one
 * naming its repository (`sharing`: how many do).
 */
export function bindingVerification(
  project: {
    repoSlug: string;
    verifiedBy?: 'location' | 'config';
    approval?: BindingApproval;
  },
  policy: { requireVerifiedBinding: boolean; sharing: number },
): OpsHubBindingVerification | undefined {
  if (project.verifiedBy) return project.verifiedBy;
  if (project.approval?.repoSlug === project.repoSlug) return 'approval';
  if (!policy.requireVerifiedBinding && policy.sharing <= 1) {
    return 'not-required';
  }
  return undefined;
}

/** Of the projects naming one repository, those that act and the others. */
export function splitActing(projects: TrackedProject[]): {
  acting: TrackedProject[];
  unverified: TrackedProject[];
} {
  return {
    acting: projects.filter(p => p.verifiedBy),
    unverified: projects.filter(p => !p.verifiedBy),
  };
}

/**
 * A tracked project's binding as the API answers it; `problem` says why it
 * is not verified and how to fix that.
 */
export function describeBinding(
  project: TrackedProject,
  options: { verifier: BindingVerifier; requireVerifiedBinding: boolean },
): OpsHubBinding {
  const { approval } = project;
  const approved =
    approval && approval.repoSlug === project.repoSlug ? approval : undefined;
  return {
    entityRef: project.entityRef,
    repository: project.repoSlug,
    verified: project.verifiedBy !== undefined,
    verifiedBy: project.verifiedBy ?? null,
    approvedBy: approved?.approvedBy ?? null,
    approvedAt: approved?.approvedAt.toISOString() ?? null,
    problem: project.verifiedBy ? null : bindingProblem(project, options),
  };
}

function bindingProblem(
  project: TrackedProject,
  options: { verifier: BindingVerifier; requireVerifiedBinding: boolean },
): string {
  const { entityRef, repoSlug, location, approval } = project;
  const claim = `${entityRef} claims ${repoSlug}`;
  const fix = `register it from a catalog-info.yaml in ${options.verifier.whereToRegister(
    repoSlug,
  )}, or ask an OpsHub org owner to approve the binding on the /opshub page`;
  if (!options.requireVerifiedBinding) {
    // Unverified while verification is off: another project names it too.
    return `${claim}, which other entities claim too: entities may share a repository only when each binding is verified — ${fix}`;
  }
  const why = location
    ? `its catalog location is ${location}`
    : `it has no catalog location (${LOCATION_ANNOTATION})`;
  const stale =
    approval && approval.repoSlug !== repoSlug
      ? `; the approval by ${approval.approvedBy} was for ${approval.repoSlug}, which it no longer names`
      : '';
  return `${claim}, but ${why}${stale} — ${fix}`;
}
