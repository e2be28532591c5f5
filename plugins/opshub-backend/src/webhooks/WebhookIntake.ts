import { InputError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { RepositoryLookup } from '../projects/RepositoryLookup';
import { createGroupCommit } from '../database/groupCommit';
import type { EnqueueRequest, JobEnqueuer } from '../queue/types';
import type {
  DeliveryOutcome,
  DeliveryStore,
  DeliveryWithPayload,
} from './DeliveryStore';
import { type DeliveryPlan, planBody } from './planDelivery';

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
 * Records verified GitHub deliveries and enqueues their jobs atomically, so
 * a delivery is never recorded without its jobs, nor the other way round.
 * Deliveries that arrive together are recorded together (group commit): one
 * statement and one commit for all of them.
 */
export class WebhookIntake {
  private readonly record: (
    recording: Recording,
  ) => Promise<string[] | undefined>;

  constructor(
    private readonly deps: {
      knex: Knex;
      deliveries: DeliveryStore;
      repositories: RepositoryLookup;
      queue: JobEnqueuer;
    },
  ) {
    this.record = createGroupCommit({
      write: group => this.recordGroup(group),
      maxInFlight: 2,
      maxGroupSize: 50,
    });
  }

  async receive(delivery: {
    deliveryId: string;
    event: string;
    rawBody: string;
    /** From `planBody`, which the caller runs to answer bad bodies itself. */
    plan: DeliveryPlan;
  }): Promise<IntakeResult> {
    const { plan } = delivery;
    const jobs = await this.jobsOf(plan);
    const outcome = jobs.length > 0 ? 'enqueued' : plan.outcome;
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
    const plan = planBody(deliveryId, delivery.event, delivery.payload);
    if (typeof plan === 'string') {
      throw new InputError(
        `Stored delivery ${deliveryId} is not a JSON object`,
      );
    }
    const jobs = await this.jobsOf(plan);
    const outcome = jobs.length > 0 ? 'enqueued' : plan.outcome;
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

  private async jobsOf(plan: DeliveryPlan) {
    if (!plan.lookup) return [];
    return plan.jobsFor(
      await this.deps.repositories.entityRefsFor(plan.lookup),
    );
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
