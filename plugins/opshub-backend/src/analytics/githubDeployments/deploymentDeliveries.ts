import { z } from 'zod';
import type { DeliveryPlan } from '../../webhooks/planDelivery';
import { isProductionEnvironment } from '../analyticsConfig';

/** The job that records one GitHub deployment event as a deploy event. */
export const RECORD_DEPLOYMENT = 'record-deployment';

/** GitHub's states of a deployment status. */
export const DEPLOYMENT_STATUS_STATES = [
  'queued',
  'pending',
  'in_progress',
  'success',
  'failure',
  'error',
  'inactive',
] as const;
export type DeploymentStatusState = (typeof DEPLOYMENT_STATUS_STATES)[number];

/** What a `record-deployment` job knows of the deployment and its status. */
export interface RecordDeploymentPayload {
  [key: string]: unknown;
  deliveryId: string;
  entityRef: string;
  repository: string;
  deployment: {
    /** GitHub's deployment id, as a string. */
    id: string;
    sha: string;
    /** The raw environment name. */
    environment: string;
    createdAt: string;
  };
  /** Absent for the `deployment` event itself. */
  status?: {
    id: string;
    state: DeploymentStatusState;
    createdAt: string;
    /** The status's log_url, else target_url, else environment_url. */
    url: string | null;
  };
}

const timestamp = z.string().datetime({ offset: true });
/** GitHub sends `""` for a URL it does not have. */
const optionalUrl = z.string().nullable().optional();

const deployment = z.object({
  id: z.number().int().positive(),
  sha: z.string().min(1).max(64),
  environment: z.string().min(1).max(255),
  created_at: timestamp,
});
const repository = z.object({ full_name: z.string().min(1) });

const deploymentEvent = z.object({
  action: z.literal('created'),
  deployment,
  repository,
});

const deploymentStatusEvent = z.object({
  action: z.literal('created'),
  deployment,
  deployment_status: z.object({
    id: z.number().int().positive(),
    state: z.enum(DEPLOYMENT_STATUS_STATES),
    created_at: timestamp,
    log_url: optionalUrl,
    target_url: optionalUrl,
    environment_url: optionalUrl,
  }),
  repository,
});

/** The events this module plans. */
export const DEPLOYMENT_EVENTS = ['deployment', 'deployment_status'];

/** Every job of one deployment: never two of its statuses at once. */
export const deploymentGroup = (entityRef: string, deploymentId: string) =>
  `deployment:${entityRef}:${deploymentId}`;

/**
 * Plans a `deployment` or `deployment_status` delivery: one job per
 * entity acting on the repository when the deployment's environment is a
 * production one (`unmatched` until the intake finds those entities),
 * else nothing (`ignored`). Each status is its own job (a redelivery of it
 * coalesces with it), run one at a time per deployment: a status never
 * replaces another one still waiting, so none of them is lost.
 */
export function planDeploymentDelivery(
  base: Pick<DeliveryPlan, 'action' | 'repository'> & { deliveryId: string },
  event: string,
  payload: Record<string, unknown>,
  productionEnvironments: string[],
): DeliveryPlan {
  const ignored: DeliveryPlan = {
    action: base.action,
    repository: base.repository,
    outcome: 'ignored',
    jobsFor: () => [],
  };
  const parsed = parseDeploymentEvent(event, payload);
  if (
    !parsed ||
    !isProductionEnvironment(
      parsed.deployment.environment,
      productionEnvironments,
    )
  ) {
    return ignored;
  }
  const deploymentId = String(parsed.deployment.id);
  const status = parsed.status && {
    id: String(parsed.status.id),
    state: parsed.status.state,
    createdAt: parsed.status.created_at,
    url:
      parsed.status.log_url ||
      parsed.status.target_url ||
      parsed.status.environment_url ||
      null,
  };
  return {
    action: base.action,
    repository: base.repository,
    outcome: 'unmatched',
    lookup: parsed.repository,
    jobsFor: entityRefs =>
      entityRefs.map(entityRef => ({
        type: RECORD_DEPLOYMENT,
        key: `${deploymentGroup(entityRef, deploymentId)}:${
          status ? `status:${status.id}` : 'created'
        }`,
        group: deploymentGroup(entityRef, deploymentId),
        payload: {
          deliveryId: base.deliveryId,
          entityRef,
          repository: parsed.repository,
          deployment: {
            id: deploymentId,
            sha: parsed.deployment.sha,
            environment: parsed.deployment.environment,
            createdAt: parsed.deployment.created_at,
          },
          ...(status ? { status } : {}),
        } satisfies RecordDeploymentPayload,
      })),
  };
}

function parseDeploymentEvent(event: string, payload: Record<string, unknown>) {
  if (event === 'deployment') {
    const parsed = deploymentEvent.safeParse(payload);
    return parsed.success
      ? {
          deployment: parsed.data.deployment,
          repository: parsed.data.repository.full_name,
          status: undefined,
        }
      : undefined;
  }
  if (event === 'deployment_status') {
    const parsed = deploymentStatusEvent.safeParse(payload);
    return parsed.success
      ? {
          deployment: parsed.data.deployment,
          repository: parsed.data.repository.full_name,
          status: parsed.data.deployment_status,
        }
      : undefined;
  }
  return undefined;
}
