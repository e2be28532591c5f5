import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { ProjectInput, ProjectStore } from '../projects/ProjectStore';
import type {
  RepositoryLookup,
  RepositoryProjects,
} from '../projects/RepositoryLookup';
import { shortLivedCache } from '../projects/shortLivedCache';
import { createGroupCommit } from '../database/groupCommit';
import type { EnqueueRequest, JobEnqueuer } from '../queue/types';
import type {
  Delivery,
  DeliveryOutcome,
  DeliveryStore,
  DeliveryWithPayload,
} from './DeliveryStore';
import { type DeliveryPlan, planBody, type PlanOptions } from './planDelivery';

export interface IntakeResult {
  deliveryId: string;
  /** The delivery id was recorded before: nothing was enqueued again. */
  duplicate: boolean;
  outcome?: DeliveryOutcome;
  jobIds: string[];
}

/** A delivery to record, with the jobs it becomes. */
type Recording = { delivery: DeliveryWithPayload; jobs: EnqueueRequest[] };

/**
 * How long the catalog's answer that no Component names a repository is
 * kept: an organisation webhook's deliveries for repositories OpsHub does
 * not track cost one catalog call per repository in this window.
 */
export const UNTRACKED_REPOSITORY_TTL_MS = 60_000;

/**
 * How far back `unmatched` and `unverified` deliveries are planned again
 * when a project starts naming their repository or its binding becomes
 * verified; older ones are left alone.
 */
export const REPLAN_WINDOW_MS = 3600_000;

/** Deliveries read at once when planning unmatched ones again. */
const REPLAN_PAGE_SIZE = 100;
/** Repositories per query when planning unmatched deliveries again. */
const REPLAN_REPOSITORY_BATCH = 200;

/**
 * Records verified GitHub deliveries and enqueues their jobs atomically, so
 * a delivery is never recorded without its jobs, nor the other way round.
 * Deliveries that arrive together are recorded together (group commit): one
 * statement and one commit for all of them.
 *
 * Only projects whose repository binding is verified act (see
 * `projects/bindings.ts`): a delivery whose repository only unverified
 * projects name is recorded `unverified` and starts nothing.
 *
 * A delivery for a repository no tracked project names asks the catalog
 * (answers that none does are kept for `UNTRACKED_REPOSITORY_TTL_MS`): a
 * Component the project sync has not seen yet is tracked at once, and the
 * delivery planned for it. Whenever projects start naming a repository, or
 * their binding becomes verified, its recent `unmatched` and `unverified`
 * deliveries are planned again (`replanUnmatched`).
 */
export class WebhookIntake {
  private readonly record: (
    recording: Recording,
  ) => Promise<string[] | undefined>;
  private readonly untracked;

  constructor(
    private readonly deps: {
      knex: Knex;
      deliveries: DeliveryStore;
      repositories: RepositoryLookup;
      queue: JobEnqueuer;
      projects: ProjectStore;
      /** The catalog's Components naming a repository, as projects. */
      findInCatalog: (repoSlug: string) => Promise<ProjectInput[]>;
      logger: LoggerService;
      /** `opshub.analytics.productionEnvironments`; the defaults otherwise. */
      planOptions?: PlanOptions;
    },
  ) {
    this.record = createGroupCommit({
      write: group => this.recordGroup(group),
      maxInFlight: 2,
      maxGroupSize: 50,
    });
    this.untracked = shortLivedCache(
      (repoSlug: string) => this.trackFromCatalog(repoSlug),
      {
        ttlMs: UNTRACKED_REPOSITORY_TTL_MS,
        // Once tracked, the projects table answers.
        keepIf: found =>
          found.acting.length === 0 && found.unverified.length === 0,
      },
    );
  }

  /** Parses and plans a verified body, with the configured options. */
  plan(deliveryId: string, event: string, rawBody: string) {
    return planBody(deliveryId, event, rawBody, this.deps.planOptions);
  }

  async receive(delivery: {
    deliveryId: string;
    event: string;
    rawBody: string;
    /** From `plan`, which the caller runs to answer bad bodies itself. */
    plan: DeliveryPlan;
  }): Promise<IntakeResult> {
    const { plan } = delivery;
    const { jobs, outcome } = await this.jobsOf(plan);
    const jobIds = await this.record({
      delivery: {
        deliveryId: delivery.deliveryId,
        event: delivery.event,
        action: plan.action,
        repository: plan.repository,
        receivedAt: new Date(),
        outcome,
        jobCount: jobs.length,
        redeliveries: 0,
        payload: delivery.rawBody,
      },
      jobs,
    });
    return jobIds
      ? { deliveryId: delivery.deliveryId, duplicate: false, outcome, jobIds }
      : { deliveryId: delivery.deliveryId, duplicate: true, jobIds: [] };
  }

  /**
   * Job ids for each recording whose delivery id was new; undefined for a
   * delivery id recorded before, or earlier in the same group.
   */
  private async recordGroup(
    group: Recording[],
  ): Promise<(string[] | undefined)[]> {
    const first = new Map<string, Recording>();
    for (const recording of group) {
      const id = recording.delivery.deliveryId;
      if (!first.has(id)) first.set(id, recording);
    }
    const unique = [...first.values()];
    const jobIds = await this.deps.queue.enqueueGuarded(
      this.deps.deliveries.insertStatement(unique.map(r => r.delivery)),
      unique.map(r => ({ guard: r.delivery.deliveryId, requests: r.jobs })),
    );
    return group.map(recording => {
      const id = recording.delivery.deliveryId;
      return first.get(id) === recording ? jobIds.get(id) : undefined;
    });
  }

  /** Processes a stored delivery again, as if it had just arrived. */
  async redeliver(deliveryId: string): Promise<IntakeResult> {
    const delivery = await this.deps.deliveries.get(deliveryId);
    if (!delivery) throw new NotFoundError(`No delivery ${deliveryId}`);
    const plan = this.plan(deliveryId, delivery.event, delivery.payload);
    if (typeof plan === 'string') {
      throw new InputError(
        `Stored delivery ${deliveryId} is not a JSON object`,
      );
    }
    const { jobs, outcome } = await this.jobsOf(plan);
    return this.deps.knex.transaction(async trx => {
      await this.deps.deliveries.markRedelivered(
        trx,
        deliveryId,
        outcome,
        jobs.length,
      );
      const jobIds = await this.enqueueAll(trx, jobs);
      return { deliveryId, duplicate: false, outcome, jobIds };
    });
  }

  /**
   * Plans again, as if they had just arrived, the deliveries of these
   * repositories recorded `unmatched` or `unverified` in the last
   * `REPLAN_WINDOW_MS`: for when projects start naming them (the project
   * sync added them, or a delivery found them in the catalog) or start
   * acting on them (their binding became verified). Those that now become
   * jobs are enqueued (coalescing with those of newer deliveries of the same
   * PR) and their outcome becomes `enqueued`. Returns how many were.
   */
  async replanUnmatched(repoSlugs: string[]): Promise<number> {
    const repositories = [...new Set(repoSlugs.map(r => r.toLowerCase()))];
    if (repositories.length === 0) return 0;
    // The caller changed the projects: plan from the table, not the cache.
    this.deps.repositories.clear();
    const since = new Date(Date.now() - REPLAN_WINDOW_MS);
    let replanned = 0;
    for (let i = 0; i < repositories.length; i += REPLAN_REPOSITORY_BATCH) {
      const batch = repositories.slice(i, i + REPLAN_REPOSITORY_BATCH);
      let after: Pick<Delivery, 'receivedAt' | 'deliveryId'> | undefined;
      for (;;) {
        const page = await this.deps.deliveries.listUnmatched({
          repositories: batch,
          since,
          after,
          limit: REPLAN_PAGE_SIZE,
        });
        // Oldest first: a newer delivery of the same PR coalesces last.
        for (const delivery of page) {
          if (await this.replan(delivery)) replanned += 1;
        }
        if (page.length < REPLAN_PAGE_SIZE) break;
        after = page[page.length - 1];
      }
    }
    if (replanned > 0) {
      const named =
        repositories.length === 1
          ? repositories[0]
          : `${repositories.length} more repositories`;
      this.deps.logger.info(
        `Planned ${replanned} unmatched or unverified webhook deliveries again, now that verified projects name ${named}`,
      );
    }
    return replanned;
  }

  private async replan(delivery: DeliveryWithPayload): Promise<boolean> {
    const plan = this.plan(
      delivery.deliveryId,
      delivery.event,
      delivery.payload,
    );
    if (typeof plan === 'string' || !plan.lookup) return false;
    const jobs = plan.jobsFor(
      (await this.deps.repositories.projectsFor(plan.lookup)).acting,
    );
    if (jobs.length === 0) return false;
    return this.deps.knex.transaction(async trx => {
      const matched = await this.deps.deliveries.markMatched(
        trx,
        delivery.deliveryId,
        jobs.length,
      );
      if (matched) await this.enqueueAll(trx, jobs);
      return matched;
    });
  }

  /**
   * The jobs of a delivery, for the projects that act on its repository,
   * and its outcome: `enqueued` with jobs; `unverified` when only projects
   * whose binding is not verified name the repository; the plan's own
   * (`unmatched`, `ignored`) otherwise.
   */
  private async jobsOf(
    plan: DeliveryPlan,
  ): Promise<{ jobs: EnqueueRequest[]; outcome: DeliveryOutcome }> {
    if (!plan.lookup) return { jobs: [], outcome: plan.outcome };
    let found = await this.deps.repositories.projectsFor(plan.lookup);
    if (found.acting.length === 0 && found.unverified.length === 0) {
      found = await this.untracked.get(plan.lookup.toLowerCase());
    }
    const jobs = plan.jobsFor(found.acting);
    if (jobs.length > 0) return { jobs, outcome: 'enqueued' };
    return {
      jobs,
      outcome:
        plan.outcome === 'unmatched' && found.unverified.length > 0
          ? 'unverified'
          : plan.outcome,
    };
  }

  /**
   * The catalog's Components naming a repository that no tracked project
   * names; they are tracked from now on, and the repository's recent
   * unmatched deliveries planned again.
   */
  private async trackFromCatalog(
    repoSlug: string,
  ): Promise<RepositoryProjects> {
    const { logger } = this.deps;
    const none: RepositoryProjects = { acting: [], unverified: [] };
    let found: ProjectInput[];
    try {
      found = await this.deps.findInCatalog(repoSlug);
    } catch (error) {
      // Recorded unmatched; the project sync plans it again once it tracks
      // the repository.
      logger.warn(`Could not ask the catalog about ${repoSlug}: ${error}`);
      return none;
    }
    if (found.length === 0) return none;

    const { newlyTracked } = await this.deps.projects.upsert(found);
    this.deps.repositories.clear();
    if (newlyTracked.length > 0) {
      logger.info(
        `Tracking ${newlyTracked
          .map(p => p.entityRef)
          .join(
            ', ',
          )}: a delivery named ${repoSlug} before the project sync saw it`,
      );
      try {
        await this.replanUnmatched(newlyTracked.map(p => p.repoSlug));
      } catch (error) {
        logger.error(
          `Could not plan the unmatched deliveries of ${repoSlug} again: ${error}`,
        );
      }
    }
    // Read back: an approval given before the project was tracked counts.
    return this.deps.repositories.projectsFor(repoSlug);
  }

  private async enqueueAll(
    trx: Knex.Transaction,
    jobs: ReturnType<DeliveryPlan['jobsFor']>,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const job of jobs) ids.push(await this.deps.queue.enqueue(trx, job));
    return ids;
  }
}
