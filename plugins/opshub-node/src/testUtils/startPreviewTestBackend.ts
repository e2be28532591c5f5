import type { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

const WEBHOOK_SECRET = 'preview-test-webhook-secret';

/**
 * A preview as `GET /api/opshub/previews` lists it.
 *
 * @public
 */
export interface TestPreview {
  id: string;
  prNumber: number;
  headSha: string;
  state: string;
  url: string | null;
  errorClass: string | null;
  errorMessage: string | null;
}

/**
 * A pull request event for the test entity's repository.
 *
 * @public
 */
export interface TestPullRequest {
  number: number;
  headSha: string;
  branch: string;
  action?: 'opened' | 'synchronize' | 'closed';
}

/**
 * The backend under test: deliver signed pull request webhooks, read the
 * entity's previews and the queue's jobs.
 *
 * @public
 */
export interface PreviewTestBackend {
  /** Where the backend listens, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Delivers the event (signed as GitHub signs it); returns the status. */
  deliver(pr: TestPullRequest): Promise<number>;
  previews(): Promise<TestPreview[]>;
  /**
   * Delivers `opened` (again, while the project sync has not tracked the
   * entity yet) and waits until PR `number`'s preview satisfies `until`.
   */
  waitForPreview(
    pr: TestPullRequest,
    until: (preview: TestPreview) => boolean,
    timeoutMs?: number,
  ): Promise<TestPreview>;
  /** The queue's jobs of a type, as the admin API lists them. */
  jobs(type: string): Promise<Array<{ state: string; attempts: number }>>;
  stop(): Promise<void>;
}

/**
 * Starts the OpsHub backend plugin (passed in, so this helper does not
 * depend on it) with a provider module, one Component in the catalog
 * (`component:default/storefront`, repository `acme/storefront`, registered
 * from a catalog-info.yaml in that repository so its binding is verified,
 * the given annotations) and a queue tuned for tests (10 ms backoff, checks every
 * 50 ms), for provider modules to test their provider through the real
 * lifecycle: webhooks in, jobs with retries, previews out.
 *
 * @public
 */
export async function startPreviewTestBackend(options: {
  opshubPlugin: BackendFeature;
  features: BackendFeature[];
  annotations: Record<string, string>;
  /** Merged into the `opshub` config block. */
  opshubConfig?: Record<string, unknown>;
}): Promise<PreviewTestBackend> {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'storefront',
      namespace: 'default',
      annotations: {
        'github.com/project-slug': 'acme/storefront',
        // Registered from its repository: OpsHub trusts its claim on it.
        'backstage.io/managed-by-location':
          'url:https://github.com/acme/storefront/blob/main/catalog-info.yaml',
        ...options.annotations,
      },
    },
    spec: { type: 'website', owner: 'group:default/web', lifecycle: 'test' },
  };
  const testBackend = await startTestBackend({
    features: [
      options.opshubPlugin,
      ...options.features,
      catalogServiceMock.factory({ entities: [entity] }),
      mockServices.scheduler.factory({
        includeInitialDelayedTasksOnStartup: true,
      }),
      mockServices.rootConfig.factory({
        data: {
          opshub: {
            github: { webhookSecret: WEBHOOK_SECRET },
            queue: {
              pollInterval: { milliseconds: 50 },
              retryBackoff: {
                base: { milliseconds: 10 },
                cap: { milliseconds: 50 },
              },
            },
            previews: { checkInterval: { milliseconds: 50 } },
            // Fake providers answer with public host names: no check of
            // a preview may probe one.
            health: { previews: { enabled: false } },
            ...options.opshubConfig,
          },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${
    (testBackend.server.address() as AddressInfo).port
  }`;
  const asAdmin = {
    authorization: mockCredentials.user.header('user:default/admin'),
  };
  const getJson = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: asAdmin });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  };

  const backend: PreviewTestBackend = {
    url: base,
    async deliver(pr) {
      const body = pullRequestEvent(pr);
      const response = await fetch(`${base}/api/opshub/webhooks/github`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET)
            .update(body)
            .digest('hex')}`,
        },
      });
      await response.arrayBuffer();
      return response.status;
    },
    async previews() {
      const { items } = await getJson(
        `/api/opshub/previews?entityRef=${encodeURIComponent(
          'component:default/storefront',
        )}`,
      );
      return items;
    },
    async waitForPreview(pr, until, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: TestPreview | undefined;
      for (;;) {
        last = (await backend.previews()).find(p => p.prNumber === pr.number);
        if (!last) await backend.deliver(pr);
        else if (until(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(
            `PR #${
              pr.number
            }'s preview did not get there; last seen: ${JSON.stringify(last)}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
    async jobs(type) {
      const { items } = await getJson(
        `/api/opshub/queue/jobs?type=${encodeURIComponent(type)}`,
      );
      return items;
    },
    stop: () => testBackend.stop(),
  };
  return backend;
}

function pullRequestEvent(pr: TestPullRequest): string {
  const repo = { full_name: 'acme/storefront', fork: false };
  const action = pr.action ?? 'opened';
  return JSON.stringify({
    action,
    number: pr.number,
    pull_request: {
      number: pr.number,
      title: `PR ${pr.number}`,
      updated_at: new Date().toISOString(),
      draft: false,
      merged: false,
      user: { login: 'octocat' },
      labels: [],
      head: { sha: pr.headSha, ref: pr.branch, repo },
      base: { ref: 'main', repo },
    },
    repository: repo,
  });
}
