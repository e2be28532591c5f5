import type { AuthService } from '@backstage/backend-plugin-api';
import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  OPSHUB_ANNOTATIONS,
  type OpsHubBinding,
} from '@opshub/plugin-opshub-common';
import { type BindingVerifier, describeBinding } from './bindings';
import { projectFromEntity } from './catalogProjects';
import type { DatabaseBindingApprovals } from './DatabaseBindingApprovals';
import type { ProjectStore, TrackedProject } from './ProjectStore';

/** Projects read at once when listing bindings. */
const LIST_PAGE = 500;

/**
 * Entities' repository bindings as org owners see and change them: listed
 * with why each is not verified, approved (the entity's current
 * repository) and revoked. `changed` hears of every approval and
 * revocation, so the repository's cached answers go and, once it acts, its
 * recent deliveries that started nothing are planned again.
 */
export class RepositoryBindings {
  constructor(
    private readonly deps: {
      projects: ProjectStore;
      approvals: DatabaseBindingApprovals;
      verifier: BindingVerifier;
      requireVerifiedBinding: boolean;
      catalog: CatalogService;
      auth: AuthService;
      changed(change: { repoSlug: string; verified: boolean }): Promise<void>;
    },
  ) {}

  describe(project: TrackedProject): OpsHubBinding {
    return describeBinding(project, this.deps);
  }

  /**
   * The tracked projects' bindings by entity ref, at most `limit` after
   * `after`; `verified` keeps only those that are (or are not) verified.
   */
  async list(options: {
    verified?: boolean;
    limit: number;
    after?: string;
  }): Promise<OpsHubBinding[]> {
    const items: OpsHubBinding[] = [];
    for (let after = options.after; ; ) {
      const page = await this.deps.projects.list({ limit: LIST_PAGE, after });
      for (const project of page) {
        const binding = this.describe(project);
        if (
          options.verified === undefined ||
          binding.verified === options.verified
        ) {
          items.push(binding);
          if (items.length >= options.limit) return items;
        }
      }
      if (page.length < LIST_PAGE) return items;
      after = page[page.length - 1].entityRef;
    }
  }

  /**
   * Approves the entity's claim on the repository it names now, read from
   * the catalog (`repository`, when given, must be that one: the approver
   * approves what they saw), and tracks the entity at once.
   */
  async approve(
    ref: CompoundEntityRef,
    repository: string | undefined,
    approvedBy: string,
  ): Promise<OpsHubBinding> {
    const { catalog, auth, verifier, projects } = this.deps;
    const entityRef = stringifyEntityRef(ref);
    const entity = await catalog.getEntityByRef(ref, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) throw new NotFoundError(`No entity ${entityRef}`);
    if (entity.kind.toLocaleLowerCase('en-US') !== 'component') {
      throw new InputError(
        `${entityRef} is a ${entity.kind}: OpsHub binds only Components to repositories`,
      );
    }
    const project = projectFromEntity(entity, verifier);
    if (!project) {
      throw new InputError(
        `${entityRef} names no repository: its ${OPSHUB_ANNOTATIONS.projectSlug} is missing or not owner/name`,
      );
    }
    const repoSlug = project.repoSlug.toLocaleLowerCase('en-US');
    if (
      repository !== undefined &&
      repository.toLocaleLowerCase('en-US') !== repoSlug
    ) {
      throw new ConflictError(
        `${entityRef} claims ${repoSlug} now, not ${repository}: nothing was approved`,
      );
    }
    await this.deps.approvals.approve(entityRef, repoSlug, approvedBy);
    await projects.upsert([project]);
    await this.deps.changed({ repoSlug, verified: true });
    const tracked = await projects.getProject(entityRef);
    if (!tracked) throw new NotFoundError(`No project ${entityRef}`);
    return this.describe(tracked);
  }

  /**
   * Removes an org owner's approval of the entity's binding; the binding
   * after (still verified when its location or the config proves it).
   */
  async revoke(ref: CompoundEntityRef): Promise<OpsHubBinding> {
    const entityRef = stringifyEntityRef(ref);
    const removed = await this.deps.approvals.revoke(entityRef);
    const project = await this.deps.projects.getProject(entityRef);
    if (removed) {
      await this.deps.changed({
        repoSlug: project?.repoSlug ?? removed.repoSlug,
        verified: false,
      });
    }
    if (project) return this.describe(project);
    if (!removed) throw new NotFoundError(`No binding of ${entityRef}`);
    return {
      entityRef,
      repository: removed.repoSlug,
      verified: false,
      verifiedBy: null,
      approvedBy: null,
      approvedAt: null,
      problem: `OpsHub does not track ${entityRef}: it is not a Component naming a repository in the catalog`,
    };
  }
}
