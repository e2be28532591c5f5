import { type APIRequestContext, expect } from '@playwright/test';
import { createHmac, randomUUID } from 'node:crypto';

// The backend of app-config.yaml (local development): its webhook secret,
// and the demo Component approved for acme/storefront, whose production
// deployments OpsHub records.
const WEBHOOK = 'http://localhost:7007/api/opshub/webhooks/github';
const SECRET =
  process.env.OPSHUB_GITHUB_WEBHOOK_SECRET ?? 'opshub-dev-webhook-secret';
const REPOSITORY = {
  id: 1296269,
  name: 'storefront',
  full_name: 'acme/storefront',
  owner: { login: 'acme', type: 'Organization' },
  private: true,
};
const SENDER = { login: 'octocat', type: 'User' };

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

export type Terminal = 'success' | 'failure' | 'error';

/** One GitHub deployment to production and how it ended. */
export interface SeededDeployment {
  id: number;
  sha: string;
  createdAt: Date;
  terminal: Terminal;
}

/** A delivery of `event` for acme/storefront, signed as GitHub signs it. */
function signedDelivery(
  event: 'deployment' | 'deployment_status',
  payload: object,
) {
  const body = JSON.stringify(payload);
  const signature = createHmac('sha256', SECRET).update(body).digest('hex');
  return {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${signature}`,
    },
  };
}

/** The `deployment` object of GitHub's deployment events. */
const deploymentObject = (deploy: SeededDeployment) => ({
  url: `https://api.github.com/repos/acme/storefront/deployments/${deploy.id}`,
  id: deploy.id,
  node_id: `DE_e2e${deploy.id}`,
  sha: deploy.sha,
  ref: 'main',
  task: 'deploy',
  payload: {},
  original_environment: 'production',
  environment: 'production',
  description: null,
  creator: SENDER,
  created_at: deploy.createdAt.toISOString(),
  updated_at: deploy.createdAt.toISOString(),
  production_environment: true,
  transient_environment: false,
});

/**
 * Every delivery of one deployment: `deployment` (created), then an
 * `in_progress` status 30 s later and its terminal status minutes later.
 */
function deliveriesOf(deploy: SeededDeployment, statusBaseId: number) {
  const deployment = deploymentObject(deploy);
  const status = (id: number, state: string, afterMs: number) =>
    signedDelivery('deployment_status', {
      action: 'created',
      deployment_status: {
        id,
        state,
        creator: SENDER,
        description: '',
        environment: 'production',
        target_url: '',
        log_url: `https://github.com/acme/storefront/actions/runs/${id}`,
        environment_url: 'https://storefront.acme.test',
        created_at: new Date(
          deploy.createdAt.getTime() + afterMs,
        ).toISOString(),
        updated_at: new Date(
          deploy.createdAt.getTime() + afterMs,
        ).toISOString(),
      },
      deployment,
      repository: REPOSITORY,
      sender: SENDER,
    });
  return [
    signedDelivery('deployment', {
      action: 'created',
      deployment,
      repository: REPOSITORY,
      sender: SENDER,
    }),
    status(statusBaseId, 'in_progress', 30_000),
    status(statusBaseId + 1, deploy.terminal, 4 * MINUTE),
  ];
}

/**
 * Delivers every event of the seeded deployments to the local backend,
 * signed with its webhook secret; each delivery must be accepted.
 */
export async function deliverAll(
  request: APIRequestContext,
  seeded: SeededDeployment[],
) {
  for (const [index, deploy] of seeded.entries()) {
    for (const delivery of deliveriesOf(deploy, deploy.id * 10 + index)) {
      const response = await request.post(WEBHOOK, delivery);
      expect(response.status(), await response.text()).toBe(202);
    }
  }
}
