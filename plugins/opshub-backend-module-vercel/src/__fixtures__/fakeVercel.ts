import type { GetDeploymentResponseBody2 } from '@vercel/sdk/models/getdeploymentresponsebody1.js';
import {
  type FakeApiAnswer,
  type FakeProviderApi,
  startFakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';

export type ReadyState =
  | 'QUEUED'
  | 'INITIALIZING'
  | 'BUILDING'
  | 'READY'
  | 'ERROR'
  | 'CANCELED'
  | 'BLOCKED';

const CREATED_AT = Date.parse('2026-11-26T10:00:00Z');

/**
 * A deployment as Vercel's API documents it (the owner's full view of
 * `GET /v13/deployments/{idOrUrl}`), so the SDK's lenient parsing cannot
 * hide a field the provider reads but the fake forgot.
 */
export function vercelDeployment(options: {
  id: string;
  readyState: ReadyState;
  sha: string;
  ref: string;
  errorCode?: string;
  errorMessage?: string;
}) {
  const host = `storefront-${options.id.slice(4, 12)}-acme.vercel.app`;
  const ended = ['READY', 'ERROR', 'CANCELED'].includes(options.readyState);
  // Typed as the SDK's owner view of a deployment: the compiler holds the
  // fixture to every field Vercel documents as always present.
  const deployment: GetDeploymentResponseBody2 = {
    id: options.id,
    name: 'storefront',
    url: host,
    inspectorUrl: `https://vercel.com/acme/storefront/${options.id.slice(4)}`,
    type: 'LAMBDAS',
    version: 2,
    readyState: options.readyState,
    readySubstate: options.readyState === 'READY' ? 'STAGED' : undefined,
    status: options.readyState,
    target: null,
    source: 'git',
    public: false,
    plan: 'pro',
    regions: ['iad1'],
    routes: null,
    env: [],
    build: { env: [] },
    builds: [],
    functions: null,
    meta: {
      githubCommitSha: options.sha,
      githubCommitRef: options.ref,
      githubOrg: 'acme',
      githubRepo: 'storefront',
      githubPrId: '7',
    },
    gitSource: {
      type: 'github',
      org: 'acme',
      repo: 'storefront',
      ref: options.ref,
      sha: options.sha,
      prId: 7,
    },
    projectId: 'prj_storefront',
    project: { id: 'prj_storefront', name: 'storefront', framework: 'nextjs' },
    projectSettings: { framework: 'nextjs', nodeVersion: '22.x' },
    ownerId: 'team_acme',
    team: { id: 'team_acme', name: 'Acme', slug: 'acme' },
    creator: { uid: 'usr_opshub', username: 'opshub-bot' },
    createdAt: CREATED_AT,
    createdIn: 'iad1',
    buildingAt: CREATED_AT + 2_000,
    bootedAt: CREATED_AT + 1_000,
    ready: ended ? CREATED_AT + 62_000 : undefined,
    canceledAt:
      options.readyState === 'CANCELED' ? CREATED_AT + 30_000 : undefined,
    buildErrorAt:
      options.readyState === 'ERROR' ? CREATED_AT + 40_000 : undefined,
    errorCode: options.errorCode,
    errorMessage: options.errorMessage,
    errorStep: options.errorCode ? 'build' : undefined,
    alias:
      options.readyState === 'READY'
        ? [`storefront-git-${options.ref}-acme.vercel.app`]
        : [],
    aliasAssigned: options.readyState === 'READY',
    aliasError: null,
    automaticAliases: [],
    buildSkipped: false,
    isInConcurrentBuildsQueue: false,
    isInSystemBuildsQueue: false,
    previewCommentsEnabled: false,
    nodeVersion: '22.x',
  };
  return deployment;
}

/** Vercel's 429, with the reset it sends in the body and headers. */
export function rateLimited(resetInMs: number): FakeApiAnswer {
  const resetMs = Date.now() + resetInMs;
  return {
    status: 429,
    headers: {
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    },
    body: {
      error: {
        code: 'rate_limited',
        message: 'Rate limit exceeded',
        limit: {
          remaining: 0,
          reset: Math.ceil(resetMs / 1000),
          resetMs,
          total: 100,
        },
      },
    },
  };
}

/** An error as Vercel's API answers it. */
export function vercelError(
  status: number,
  code: string,
  message = code,
): FakeApiAnswer {
  return { status, body: { error: { code, message } } };
}

/**
 * Vercel's deployments API on loopback: POST creates a QUEUED deployment,
 * GET answers it in the state the test sets, DELETE removes it.
 */
export async function startFakeVercel(): Promise<
  FakeProviderApi & {
    deployments: Map<string, ReturnType<typeof vercelDeployment>>;
    settle(
      id: string,
      readyState: ReadyState,
      error?: { errorCode: string; errorMessage: string },
    ): void;
  }
> {
  const api = await startFakeProviderApi();
  const deployments = new Map<string, ReturnType<typeof vercelDeployment>>();
  let next = 1;
  api.route('POST /v13/deployments', ({ body }) => {
    const { gitSource } = body as { gitSource: { sha: string; ref: string } };
    const id = `dpl_${String(next++).padStart(8, '0')}abcdef`;
    const deployment = vercelDeployment({
      id,
      readyState: 'QUEUED',
      sha: gitSource.sha,
      ref: gitSource.ref,
    });
    deployments.set(id, deployment);
    return { body: deployment };
  });
  api.route('GET /v13/deployments/:id', ({ params }) => {
    const deployment = deployments.get(params.id);
    return deployment
      ? { body: deployment }
      : vercelError(404, 'not_found', 'Deployment not found');
  });
  api.route('DELETE /v13/deployments/:id', ({ params }) => {
    if (!deployments.delete(params.id)) {
      return vercelError(404, 'not_found', 'Deployment not found');
    }
    return { body: { uid: params.id, state: 'DELETED' } };
  });
  return Object.assign(api, {
    deployments,
    settle(
      id: string,
      readyState: ReadyState,
      error?: { errorCode: string; errorMessage: string },
    ) {
      const current = deployments.get(id)!;
      deployments.set(id, {
        ...vercelDeployment({
          id,
          readyState,
          sha: current.meta.githubCommitSha,
          ref: current.meta.githubCommitRef,
          ...error,
        }),
      });
    },
  });
}
