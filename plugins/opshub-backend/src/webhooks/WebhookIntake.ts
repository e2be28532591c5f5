import { NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import type { RepositoryLookup } from '../projects/RepositoryLookup';
import type { JobEnqueuer } from '../queue/types';
import type { DeliveryOutcome, DeliveryStore } from './DeliveryStore';
import { type DeliveryPlan, planDelivery } from './previewJobs';

export interface IntakeResult {
  deliveryId: string;
  /** The delivery id was recorded before: nothing was enqueued again. */
  duplicate: boolean;
  outcome?: DeliveryOutcome;
  jobIds: string[];
}

/**
 * Records verified GitHub deliveries and enqueues their jobs atomically, so
 * a delivery is never recorded without its jobs, nor the other way round.
 */
export class WebhookIntake {
  constructor(
    private readonly deps: {
      knex: Knex;
      deliveries: DeliveryStore;
      repositories: RepositoryLookup;
      queue: JobEnqueuer;
    },
  ) {}

  async receive(delivery: {
    deliveryId: string;
    event: string;
    rawBody: string;
    payload: Record<string, unknown>;
  }): Promise<IntakeResult> {
    const plan = planDelivery(
      delivery.deliveryId,
      delivery.event,
      delivery.payload,
    );
    const jobs = await this.jobsOf(plan);
    const outcome = jobs.length > 0 ? 'enqueued' : plan.outcome;

    // The delivery and its jobs commit together, and a delivery id seen
    // before enqueues nothing again.
    const { inserted, jobIds } = await this.deps.queue.enqueueAfterInsert(
      this.deps.deliveries.insertStatement({
        deliveryId: delivery.deliveryId,
        event: delivery.event,
        action: plan.action,
        repository: plan.repository,
        receivedAt: new Date(),
        outcome,
        jobCount: jobs.length,
        redeliveries: 0,
        payload: delivery.rawBody,
      }),
      jobs,
    );
    return inserted
      ? { deliveryId: delivery.deliveryId, duplicate: false, outcome, jobIds }
      : { deliveryId: delivery.deliveryId, duplicate: true, jobIds: [] };
  }

  /** Processes a stored delivery again, as if it had just arrived. */
  async redeliver(deliveryId: string): Promise<IntakeResult> {
    const delivery = await this.deps.deliveries.get(deliveryId);
    if (!delivery) throw new NotFoundError(`No delivery ${deliveryId}`);
    const plan = planDelivery(
      deliveryId,
      delivery.event,
      JSON.parse(delivery.payload),
    );
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
