import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  type CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  type OpsHubBinding,
  type OpsHubEntitySummary,
  type OpsHubSummaryCount,
  parseOpsHubAnnotations,
} from '@opshub/plugin-opshub-common';
import type { OpsHubSummaryCounter } from '@opshub/plugin-opshub-node';
import type { ProjectStore, TrackedProject } from '../projects/ProjectStore';

/** Puts together what OpsHub knows of one catalog entity. */
export class EntitySummaryService {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      projects: ProjectStore;
      /** How a tracked project's binding reads, with why it is not verified. */
      bindings: { describe(project: TrackedProject): OpsHubBinding };
      counters: readonly OpsHubSummaryCounter[];
      logger: LoggerService;
    },
  ) {}

  /**
   * Reads the entity with the caller's credentials, so the catalog's own
   * permissions decide whether the caller may see it at all.
   */
  async getSummary(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<OpsHubEntitySummary> {
    const entity = await this.deps.catalog.getEntityByRef(ref, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    }
    const entityRef = stringifyEntityRef(entity);
    const { annotations, problems } = parseOpsHubAnnotations(entity);
    const [project, counts] = await Promise.all([
      this.deps.projects.getProject(entityRef),
      this.count(entityRef),
    ]);

    return {
      entityRef,
      configured: annotations.projectSlug !== undefined,
      annotations,
      problems,
      trackedSince: project?.trackedSince.toISOString() ?? null,
      counts,
      binding:
        annotations.projectSlug && project
          ? this.deps.bindings.describe(project)
          : null,
    };
  }

  private async count(entityRef: string): Promise<OpsHubSummaryCount[]> {
    const settled = await Promise.allSettled(
      this.deps.counters.map(counter => counter.count(entityRef)),
    );
    return settled.flatMap((outcome, i) => {
      const { id, title } = this.deps.counters[i];
      if (outcome.status === 'fulfilled') {
        return [{ id, title, value: outcome.value }];
      }
      this.deps.logger.warn(
        `Summary counter ${id} failed for ${entityRef}: ${outcome.reason}`,
      );
      return [];
    });
  }
}
