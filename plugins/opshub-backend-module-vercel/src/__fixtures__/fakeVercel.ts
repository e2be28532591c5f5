import type { GetDeploymentResponseBody2 } from '@vercel/sdk/models/getdeploymentresponsebody1.js';
import type {
  GetProjectLink,
  GetProjectLink1,
} from '@vercel/sdk/models/getprojectfrompreset.js';
import type {
  Created2,
  CreateProjectEnvFailed,
  CreateProjectEnvResponseBody,
} from '@vercel/sdk/models/createprojectenvop.js';
import type {
  FilterProjectEnvsResponseBody3,
  ResponseBodyEnvs,
} from '@vercel/sdk/models/filterprojectenvsop.js';
import type { GetProjectResponseBody } from '@vercel/sdk/models/getprojectresponsebody.js';
import type { RemoveProjectEnvResponseBody } from '@vercel/sdk/models/removeprojectenvop.js';
import type {
  Deployments,
  GetDeploymentsResponseBody,
} from '@vercel/sdk/models/getdeploymentsop.js';
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
  /** Default `prj_storefront`. */
  projectId?: string;
  /** The creator's meta, which Vercel keeps next to its own Git meta. */
  meta?: Record<string, string>;
  /** Default 26 Nov 2026, 10:00 UTC. */
  createdAt?: number;
  errorCode?: string;
  errorMessage?: string;
}) {
  const host = `storefront-${options.id.slice(4, 12)}-acme.vercel.app`;
  const ended = ['READY', 'ERROR', 'CANCELED'].includes(options.readyState);
  const createdAt = options.createdAt ?? CREATED_AT;
  const projectId = options.projectId ?? 'prj_storefront';
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
      githubPrId: '7',
      ...options.meta,
      githubCommitSha: options.sha,
      githubCommitRef: options.ref,
      githubOrg: 'acme',
      githubRepo: 'storefront',
    },
    gitSource: {
      type: 'github',
      org: 'acme',
      repo: 'storefront',
      ref: options.ref,
      sha: options.sha,
      prId: 7,
    },
    projectId,
    project: { id: projectId, name: 'storefront', framework: 'nextjs' },
    projectSettings: { framework: 'nextjs', nodeVersion: '22.x' },
    ownerId: 'team_acme',
    team: { id: 'team_acme', name: 'Acme', slug: 'acme' },
    creator: { uid: 'usr_opshub', username: 'opshub-bot' },
    createdAt,
    createdIn: 'iad1',
    buildingAt: createdAt + 2_000,
    bootedAt: createdAt + 1_000,
    ready: ended ? createdAt + 62_000 : undefined,
    canceledAt:
      options.readyState === 'CANCELED' ? createdAt + 30_000 : undefined,
    buildErrorAt:
      options.readyState === 'ERROR' ? createdAt + 40_000 : undefined,
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

/**
 * A project's link to a GitHub repository, as Vercel's project object
 * carries it (`owner/name`).
 */
export function githubLink(repository: string): GetProjectLink1 {
  const [org, repo] = repository.split('/');
  return {
    type: 'github',
    org,
    repo,
    repoId: 718_204_553,
    repoOwnerId: 91_837_214,
    gitCredentialId: 'cred_7c1d2e3f4a5b6c7d8e9f0a1b',
    productionBranch: 'main',
    deployHooks: [],
    sourceless: true,
    createdAt: Date.parse('2026-03-02T09:15:00Z'),
    updatedAt: Date.parse('2026-03-02T09:15:00Z'),
  };
}

/**
 * A project as Vercel's API documents it (`GET /v9/projects/{idOrName}`),
 * typed as the SDK's answer so the compiler holds it to every field
 * documented as always present. Linked to GitHub's `acme/storefront` (the
 * test backend's entity's repository) unless `link` says otherwise; `null`
 * is a project with no Git link.
 */
export function vercelProject(
  options: {
    /** Default `prj_storefront`. */
    id?: string;
    /** Default `storefront`. */
    name?: string;
    link?: GetProjectLink | null;
  } = {},
): GetProjectResponseBody {
  const link =
    options.link === undefined ? githubLink('acme/storefront') : options.link;
  return {
    id: options.id ?? 'prj_storefront',
    name: options.name ?? 'storefront',
    accountId: 'team_acme',
    alias: [],
    createdAt: Date.parse('2026-03-02T09:12:44Z'),
    updatedAt: Date.parse('2026-11-20T16:03:10Z'),
    framework: 'nextjs',
    nodeVersion: '22.x',
    buildCommand: null,
    devCommand: null,
    installCommand: null,
    outputDirectory: null,
    rootDirectory: null,
    directoryListing: false,
    autoExposeSystemEnvs: true,
    gitForkProtection: true,
    live: false,
    defaultResourceConfig: { functionDefaultRegions: ['iad1'] },
    resourceConfig: { functionDefaultRegions: ['iad1'] },
    deploymentExpiration: { expirationDays: 180 },
    ...(link ? { link } : {}),
  };
}

/**
 * The same deployment as `GET /v7/deployments` lists it, typed as the SDK's
 * list item so the compiler holds it to every field documented as always
 * present there (the id is `uid` in this view).
 */
export function listedDeployment(
  deployment: ReturnType<typeof vercelDeployment>,
): Deployments {
  return {
    uid: deployment.id,
    name: deployment.name,
    url: deployment.url,
    created: deployment.createdAt,
    createdAt: deployment.createdAt,
    buildingAt: deployment.buildingAt,
    ready: deployment.ready,
    source: 'git',
    state: deployment.readyState,
    readyState: deployment.readyState,
    readySubstate: deployment.readySubstate,
    type: 'LAMBDAS',
    creator: {
      uid: deployment.creator.uid,
      username: deployment.creator.username,
    },
    inspectorUrl: deployment.inspectorUrl,
    meta: deployment.meta,
    target: null,
    aliasAssigned: deployment.aliasAssigned,
    aliasError: null,
    isRollbackCandidate: false,
    projectId: deployment.projectId,
    projectSettings: { framework: 'nextjs', nodeVersion: '22.x' },
    errorCode: deployment.errorCode,
    errorMessage: deployment.errorMessage,
  };
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
 * A project environment variable as the fake keeps it: `value` is the
 * plaintext the caller sent (tests look for it where it must not be);
 * answers carry only an opaque stand-in for it, as Vercel's do.
 */
export interface FakeVercelEnv {
  id: string;
  /** The project's id. */
  projectId: string;
  key: string;
  value: string;
  type: 'plain' | 'encrypted' | 'sensitive' | 'system';
  target: Array<'production' | 'preview' | 'development'>;
  gitBranch?: string;
  comment?: string;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** A variable someone else created in the project (dashboard, CLI). */
export function othersEnv(
  options: Partial<FakeVercelEnv> & { id: string; key: string },
): FakeVercelEnv {
  return {
    projectId: 'prj_storefront',
    value: 'others-value',
    type: 'encrypted',
    target: ['preview'],
    createdBy: 'usr_someone',
    createdAt: Date.parse('2026-11-01T08:00:00Z'),
    updatedAt: Date.parse('2026-11-01T08:00:00Z'),
    ...options,
  };
}

/** An env entry as Vercel answers it: never the plaintext. */
function envAnswer(env: FakeVercelEnv): Created2 {
  return {
    id: env.id,
    key: env.key,
    // Vercel answers an encrypted variable's ciphertext, a sensitive one's
    // not at all.
    value:
      env.type === 'sensitive'
        ? ''
        : `eyJ2IjoiZW5jIn0.${Buffer.from(env.id).toString('base64url')}`,
    type: env.type,
    target: env.target,
    gitBranch: env.gitBranch,
    comment: env.comment,
    configurationId: null,
    createdAt: env.createdAt,
    updatedAt: env.updatedAt,
    createdBy: env.createdBy,
    updatedBy: env.createdBy,
    decrypted: false,
    customEnvironmentIds: [],
  };
}

/** An env entry as Vercel lists it (`decrypt=false`): never the plaintext. */
function listedEnv(env: FakeVercelEnv): ResponseBodyEnvs {
  const { contentHint, ...answer } = envAnswer(env);
  return { ...answer, target: env.target, securityIssues: [] };
}

/**
 * Vercel's deployments and projects API on loopback.
 * `GET /v9/projects/{idOrName}` answers the project in `projects` with that
 * id or name (by default `prj_storefront`, linked to `acme/storefront`; set
 * another to relink it), else 404. `POST /v13/deployments` creates a QUEUED
 * deployment (keeping the request's `meta`, one second after the one
 * before), GET answers it in the state the test sets, DELETE removes it, and
 * `GET /v7/deployments` lists them newest first, filtered by `projectId`,
 * `sha` and `branch`, `limit` a page, older than `until`. While
 * `lostCreateAnswers` is above zero, a POST creates its deployment but
 * answers only after 10 s (each counts it down): the caller's timeout loses
 * the answer, as a crash would. `GET /v10/projects/{idOrName}/env` lists the
 * project's variables as `{ envs, hiddenProductionEnvCount }`; with
 * `gitBranch`, those of that branch and those for all branches.
 */
export async function startFakeVercel(): Promise<
  FakeProviderApi & {
    deployments: Map<string, ReturnType<typeof vercelDeployment>>;
    /** By project id. */
    projects: Map<string, GetProjectResponseBody>;
    lostCreateAnswers: number;
    /** By id: OpsHub's and others'. */
    envs: Map<string, FakeVercelEnv>;
    /** Keys whose next pushes fail, with Vercel's error code and message. */
    refuseEnv: Map<string, { code: string; message: string }>;
    settle(
      id: string,
      readyState: ReadyState,
      error?: { errorCode: string; errorMessage: string },
    ): void;
  }
> {
  const api = await startFakeProviderApi();
  const deployments = new Map<string, ReturnType<typeof vercelDeployment>>();
  const projects = new Map([['prj_storefront', vercelProject()]]);
  let next = 1;
  let nextEnv = 1;
  const envs = new Map<string, FakeVercelEnv>();
  const refuseEnv = new Map<string, { code: string; message: string }>();
  const fake = Object.assign(api, {
    deployments,
    projects,
    envs,
    refuseEnv,
    lostCreateAnswers: 0,
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
          projectId: current.projectId,
          meta: current.meta,
          createdAt: current.createdAt,
          ...error,
        }),
      });
    },
  });
  api.route('POST /v13/deployments', ({ body }) => {
    const { gitSource, meta } = body as {
      gitSource: { sha: string; ref: string };
      meta?: Record<string, string>;
    };
    const n = next++;
    const id = `dpl_${String(n).padStart(8, '0')}abcdef`;
    const deployment = vercelDeployment({
      id,
      readyState: 'QUEUED',
      sha: gitSource.sha,
      ref: gitSource.ref,
      meta,
      createdAt: CREATED_AT + n * 1_000,
    });
    deployments.set(id, deployment);
    if (fake.lostCreateAnswers > 0) {
      fake.lostCreateAnswers -= 1;
      return { body: deployment, delayMs: 10_000 };
    }
    return { body: deployment };
  });
  api.route('GET /v7/deployments', ({ query }) => {
    const projectId = query.get('projectId');
    const sha = query.get('sha');
    const branch = query.get('branch');
    const limit = Number(query.get('limit') ?? 20);
    const until = Number(query.get('until') ?? Infinity);
    const matching = [...deployments.values()]
      .filter(
        d =>
          (!projectId ||
            d.projectId === projectId ||
            d.project?.name === projectId) &&
          (!sha || d.meta.githubCommitSha === sha) &&
          (!branch || d.meta.githubCommitRef === branch) &&
          d.createdAt < until,
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = matching.slice(0, limit);
    const body: GetDeploymentsResponseBody = {
      deployments: page.map(listedDeployment),
      pagination: {
        count: page.length,
        next:
          matching.length > page.length
            ? page[page.length - 1].createdAt
            : null,
        prev: null,
      },
    };
    return { body };
  });
  api.route('GET /v9/projects/:idOrName', ({ params }) => {
    const project = [...projects.values()].find(
      p => p.id === params.idOrName || p.name === params.idOrName,
    );
    return project
      ? { body: project }
      : vercelError(404, 'not_found', 'Project not found');
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
  const projectOf = (idOrName: string) =>
    [...projects.values()].find(p => p.id === idOrName || p.name === idOrName);
  api.route('GET /v10/projects/:idOrName/env', ({ params, query }) => {
    const project = projectOf(params.idOrName);
    if (!project) return vercelError(404, 'not_found', 'Project not found');
    const branch = query.get('gitBranch');
    const answer: FilterProjectEnvsResponseBody3 = {
      envs: [...envs.values()]
        .filter(
          e =>
            e.projectId === project.id &&
            (!branch || e.gitBranch === undefined || e.gitBranch === branch),
        )
        .map(listedEnv),
      hiddenProductionEnvCount: 0,
    };
    return { body: answer };
  });
  api.route('POST /v10/projects/:idOrName/env', ({ params, query, body }) => {
    const project = projectOf(params.idOrName);
    if (!project) return vercelError(404, 'not_found', 'Project not found');
    const upsert = query.get('upsert') === 'true';
    const items = (Array.isArray(body) ? body : [body]) as Array<
      Pick<FakeVercelEnv, 'key' | 'value' | 'type' | 'target' | 'comment'> & {
        gitBranch?: string | null;
      }
    >;
    const created: Created2[] = [];
    const failed: CreateProjectEnvFailed[] = [];
    const now = Date.parse('2026-11-26T12:00:00Z');
    for (const item of items) {
      const gitBranch = item.gitBranch ?? undefined;
      const refusal = refuseEnv.get(item.key);
      if (refusal) {
        failed.push({
          error: { ...refusal, key: item.key, envVarKey: item.key, gitBranch },
        });
        continue;
      }
      const existing = [...envs.values()].find(
        e =>
          e.projectId === project.id &&
          e.key === item.key &&
          e.gitBranch === gitBranch &&
          e.target.some(t => item.target.includes(t)),
      );
      if (existing && !upsert) {
        failed.push({
          error: {
            code: 'ENV_ALREADY_EXISTS',
            message: `A variable with the name \`${item.key}\` already exists for the target preview on branch ${gitBranch}`,
            key: item.key,
            envVarKey: item.key,
            envVarId: existing.id,
            gitBranch,
          },
        });
        continue;
      }
      const env: FakeVercelEnv = existing
        ? {
            ...existing,
            value: item.value,
            type: item.type,
            target: item.target,
            comment: item.comment,
            updatedAt: now,
          }
        : {
            id: `env_${String(nextEnv++).padStart(4, '0')}opshub`,
            projectId: project.id,
            key: item.key,
            value: item.value,
            type: item.type,
            target: item.target,
            gitBranch,
            comment: item.comment,
            createdBy: 'usr_opshub',
            createdAt: now,
            updatedAt: now,
          };
      envs.set(env.id, env);
      created.push(envAnswer(env));
    }
    const answer: CreateProjectEnvResponseBody = { created, failed };
    return { status: 201, body: answer };
  });
  api.route('DELETE /v9/projects/:idOrName/env/:id', ({ params }) => {
    const project = projectOf(params.idOrName);
    const env = envs.get(params.id);
    if (!project || !env || env.projectId !== project.id) {
      return vercelError(404, 'not_found', 'Environment variable not found');
    }
    envs.delete(env.id);
    // The removed variable, as Vercel answers it.
    const { contentHint, ...removed } = envAnswer(env);
    const answer: RemoveProjectEnvResponseBody = {
      ...removed,
      target: env.target,
      system: false,
    };
    return { body: answer };
  });
  return fake;
}
