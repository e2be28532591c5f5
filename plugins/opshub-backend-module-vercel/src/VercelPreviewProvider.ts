import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  callProviderApi,
  deployErrorClassOf,
  type PreviewDeployment,
  type PreviewDeploymentStatus,
  type PreviewProvider,
  PreviewProviderPermanentError,
  type PreviewSource,
  type PreviewVariable,
  type ProviderApiFailure,
  type PushedVariable,
  type ProviderRepositoryLink,
  refuseUnlessLinkedTo,
  retryAfterMsOf,
} from '@opshub/plugin-opshub-node';
// The SDK's standalone functions: the whole client would load schemas for
// all of Vercel's API (about 400 MB of heap); these load the deployments'
// and the project's.
import { VercelCore } from '@vercel/sdk/core.js';
import { deploymentsCreateDeployment } from '@vercel/sdk/funcs/deploymentsCreateDeployment.js';
import { deploymentsDeleteDeployment } from '@vercel/sdk/funcs/deploymentsDeleteDeployment.js';
import { deploymentsGetDeployment } from '@vercel/sdk/funcs/deploymentsGetDeployment.js';
import { deploymentsGetDeployments } from '@vercel/sdk/funcs/deploymentsGetDeployments.js';
import { projectsCreateProjectEnv } from '@vercel/sdk/funcs/projectsCreateProjectEnv.js';
import { projectsFilterProjectEnvs } from '@vercel/sdk/funcs/projectsFilterProjectEnvs.js';
import { projectsGetProject } from '@vercel/sdk/funcs/projectsGetProject.js';
import { projectsRemoveProjectEnv } from '@vercel/sdk/funcs/projectsRemoveProjectEnv.js';
import type { RequestOptions } from '@vercel/sdk/lib/sdks.js';
import { ResponseValidationError } from '@vercel/sdk/models/responsevalidationerror.js';
import { VercelError } from '@vercel/sdk/models/vercelerror.js';
import type { Result } from '@vercel/sdk/types/fp.js';
import { VERCEL_ERROR_CODES, VERCEL_PROVIDER_ID } from './errorCodes';

/** The entity annotation naming the Vercel project to deploy. */
export const VERCEL_PROJECT_ANNOTATION = 'vercel.com/project-id';

/** Deployments per page of `find`'s listing, and the pages it reads at most. */
const LIST_PAGE_SIZE = 100;
const LIST_MAX_PAGES = 10;

export interface VercelPreviewProviderOptions {
  token: string;
  /** Default `https://api.vercel.com`. */
  apiBaseUrl?: string;
  /** The team that owns the projects, for team-scoped tokens. */
  teamId?: string;
  /** Each API call's own timeout. Default 30 seconds. */
  timeoutMs?: number;
}

type Deployment = PreviewDeployment & { source: PreviewSource };

/**
 * Vercel preview deployments through `@vercel/sdk`: one deployment per PR
 * head from its GitHub source, followed to READY, ERROR or CANCELED, and
 * deleted on teardown. Each deployment carries the entity, PR and head in its
 * `meta`, by which `find` knows it again. The SDK's own retries stay off;
 * OpsHub's queue retries, waiting out a 429's reset.
 */
export class VercelPreviewProvider implements PreviewProvider {
  readonly id = VERCEL_PROVIDER_ID;
  private readonly client: VercelCore;
  private readonly teamId?: string;
  private readonly timeoutMs: number;

  constructor(options: VercelPreviewProviderOptions) {
    this.client = new VercelCore({
      bearerToken: options.token,
      serverURL: options.apiBaseUrl,
    });
    this.teamId = options.teamId;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * From `opshub.providers.vercel`; without its own `timeout`, calls take
   * the queue's call timeout (`opshub.queue.callTimeout`).
   */
  static fromConfig(
    config: Config,
    defaults?: { callTimeoutMs: number },
  ): VercelPreviewProvider {
    return new VercelPreviewProvider({
      token: config.getString('token'),
      apiBaseUrl: config.getOptionalString('apiBaseUrl'),
      teamId: config.getOptionalString('teamId'),
      timeoutMs: config.has('timeout')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'timeout' }),
          )
        : defaults?.callTimeoutMs,
    });
  }

  async create(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeployment> {
    const project = projectOf(source);
    if (source.fromFork) {
      // Vercel builds every deployment with the project's environment
      // variables; a fork's code must never see them.
      throw new PreviewProviderPermanentError(
        'The Vercel provider does not build pull requests from forks: their builds would receive the project’s environment variables',
      );
    }
    const [org, repo] = source.repository.split('/');
    const created = await this.call('create a deployment', signal, options =>
      deploymentsCreateDeployment(
        this.client,
        {
          teamId: this.teamId,
          requestBody: {
            name: project,
            project,
            gitSource: {
              type: 'github',
              org,
              repo,
              ref: source.branch,
              sha: source.headSha,
            },
            meta: {
              ...metaOf(source),
              githubPrId: String(source.prNumber),
            },
          },
        },
        options,
      ),
    );
    return { deploymentId: created.id, url: urlOf(created) };
  }

  /**
   * Lists the project's deployments of the head sha (newest first, page by
   * page) and answers the newest whose `meta` names this entity, PR and
   * head. Deleted deployments and ones without OpsHub's meta (Vercel's own
   * Git deployments of the same commit, say) do not count. A fork's PR has
   * none: `create` refuses forks.
   */
  async find(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeployment | undefined> {
    const project = projectOf(source);
    if (source.fromFork) return undefined;
    const wanted = metaOf(source);
    let until: number | undefined;
    for (let page = 0; page < LIST_MAX_PAGES; page++) {
      const { deployments, pagination } = await this.listDeployments(
        { projectId: project, sha: source.headSha, until },
        signal,
      );
      const found = deployments
        .filter(
          d =>
            d.readyState !== 'DELETED' &&
            d.deleted === undefined &&
            Object.entries(wanted).every(
              ([key, value]) => d.meta?.[key] === value,
            ),
        )
        .sort((a, b) => b.createdAt - a.createdAt)[0];
      if (found) return { deploymentId: found.uid, url: urlOf(found) };
      if (!pagination.next) return undefined;
      until = pagination.next;
    }
    return undefined;
  }

  /**
   * Reads the project (`GET /v9/projects/{idOrName}`) and refuses, as
   * `configuration`, one whose Git link is not `source.repository` on
   * GitHub (compared case-insensitively): linked to another repository, to
   * another Git provider or host, or to none. An unknown project is refused
   * too; 5xx, no answer and 429 are retried as for every call.
   */
  async checkRepository(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    const project = projectOf(source);
    const found = await this.call<{ link: unknown } | undefined>(
      'read a project',
      signal,
      async options => {
        const result = await projectsGetProject(
          this.client,
          { idOrName: project, teamId: this.teamId },
          options,
        );
        if (result.ok) {
          return { ok: true, value: { link: result.value.link as unknown } };
        }
        const { error } = result;
        if (error instanceof VercelError && error.statusCode === 404) {
          return { ok: true, value: undefined };
        }
        // A project object the SDK's schema no longer describes (Vercel adds
        // fields and link types): its link can still be read.
        if (
          error instanceof ResponseValidationError &&
          error.statusCode === 200 &&
          isObject(error.rawValue)
        ) {
          return { ok: true, value: { link: error.rawValue.link } };
        }
        return result;
      },
    );
    if (!found) {
      throw new PreviewProviderPermanentError(
        `Vercel has no project ${project}${
          this.teamId ? ` in team ${this.teamId}` : ''
        } (the ${VERCEL_PROJECT_ANNOTATION} annotation of ${source.entityRef})`,
        'configuration',
      );
    }
    refuseUnlessLinkedTo(source, {
      name: `Vercel project ${project}`,
      place: 'in a project',
      link: describeLink(found.link),
    });
  }

  async status(
    deployment: Deployment,
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeploymentStatus> {
    const found = await this.call('read a deployment', signal, options =>
      deploymentsGetDeployment(
        this.client,
        { idOrUrl: deployment.deploymentId, teamId: this.teamId },
        options,
      ),
    );
    switch (found.readyState) {
      case 'READY': {
        const url = urlOf(found);
        return url
          ? { state: 'ready', url }
          : {
              state: 'failed',
              errorClass: 'unknown',
              message: 'Vercel reported the deployment ready without its URL',
            };
      }
      case 'ERROR':
        return {
          state: 'failed',
          errorClass: deployErrorClassOf(
            VERCEL_ERROR_CODES,
            found.errorCode ?? undefined,
            'build',
          ),
          errorCode: found.errorCode ?? undefined,
          message: found.errorMessage || 'The Vercel build failed',
        };
      case 'CANCELED':
        return {
          state: 'failed',
          errorClass: VERCEL_ERROR_CODES.CANCELED,
          errorCode: 'CANCELED',
          message: 'The Vercel deployment was canceled',
        };
      case 'BLOCKED':
        return {
          state: 'failed',
          errorClass: VERCEL_ERROR_CODES.BLOCKED,
          errorCode: 'BLOCKED',
          message: `Vercel blocked the deployment${
            'readyStateReason' in found && found.readyStateReason
              ? `: ${found.readyStateReason}`
              : ''
          }`,
        };
      default:
        // QUEUED, INITIALIZING, BUILDING
        return { state: 'building' };
    }
  }

  async destroy(
    deployment: Deployment,
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    await this.call<unknown>('delete a deployment', signal, async options => {
      const result = await deploymentsDeleteDeployment(
        this.client,
        { id: deployment.deploymentId, teamId: this.teamId },
        options,
      );
      // Already gone: what teardown wanted.
      const gone =
        !result.ok &&
        result.error instanceof VercelError &&
        result.error.statusCode === 404;
      return gone ? { ok: true, value: undefined } : result;
    });
  }

  /**
   * Makes the PR branch's preview variables OpsHub pushed exactly
   * `variables`: one `POST /v10/projects/{idOrName}/env?upsert=true` with
   * each as a branch-specific preview variable (`target: ['preview']`,
   * `gitBranch: <branch>`, type `sensitive` or `encrypted`), then
   * `DELETE /v9/projects/{idOrName}/env/{id}` of each id in `pushed` that
   * the answer no longer holds (404: already gone). Only ids OpsHub recorded
   * or was just answered are ever removed. Each variable carries OpsHub's
   * `comment` (`Managed by OpsHub for <entityRef>#<prNumber>`). Before a key
   * not in `pushed` is pushed, the branch's variables are listed
   * (`GET /v10/projects/{idOrName}/env?gitBranch=<branch>&decrypt=false`):
   * a preview variable of that key and branch that is neither recorded nor
   * carries OpsHub's comment for this entity and PR was made by someone
   * else, and the call is refused as `configuration` naming the key and the
   * branch, with nothing written (upsert would overwrite it). One with
   * OpsHub's comment is OpsHub's own whose answer was lost: upserted in
   * place and recorded again. A `failed` entry is refused as
   * `configuration`, naming the key and Vercel's code and message (with any
   * value blanked out); what that call newly created is removed again, so
   * nothing unrecorded stays behind. A fork's PR gets nothing and Vercel is
   * not called.
   */
  async syncEnvironment(
    source: PreviewSource,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
    { signal }: { signal: AbortSignal },
  ): Promise<PushedVariable[]> {
    if (source.fromFork) return [];
    const project = projectOf(source);
    const values = variables.map(v => v.value);
    if (variables.length) {
      await this.refuseOthersEnvs(source, project, variables, pushed, signal);
    }
    const now = variables.length
      ? await this.upsertEnvs(
          project,
          source.branch,
          commentOf(source),
          variables,
          pushed,
          signal,
        )
      : [];
    const kept = new Set(now.map(v => v.providerId));
    for (const old of pushed) {
      if (!kept.has(old.providerId)) {
        await this.removeEnv(project, old, signal, values);
      }
    }
    return now;
  }

  /**
   * Refuses, before anything is written, to push a key that is not in
   * `pushed` when the branch already has a preview variable of that key
   * which OpsHub neither recorded nor marked with its comment for this
   * entity and PR: someone else's, which the upsert would overwrite and a
   * later teardown would remove.
   */
  private async refuseOthersEnvs(
    source: PreviewSource,
    project: string,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
    signal: AbortSignal,
  ): Promise<void> {
    const recordedNames = new Set(pushed.map(p => p.name));
    const unrecorded = variables.filter(v => !recordedNames.has(v.name));
    if (!unrecorded.length) return;
    const { branch } = source;
    const recordedIds = new Set(pushed.map(p => p.providerId));
    const ours = commentOf(source);
    const existing = await this.listBranchEnvs(project, branch, signal);
    const taken = unrecorded
      .map(v => v.name)
      .filter(name =>
        existing.some(
          env =>
            env.key === name &&
            env.gitBranch === branch &&
            targetsPreview(env.target) &&
            !(typeof env.id === 'string' && recordedIds.has(env.id)) &&
            env.comment !== ours,
        ),
      );
    if (!taken.length) return;
    const names = taken.join(', ');
    throw new PreviewProviderPermanentError(
      `Vercel project ${project} already has preview environment variable${
        taken.length > 1 ? 's' : ''
      } ${names} for branch ${branch}, not created by OpsHub: OpsHub does not change or remove it; remove it at Vercel to let OpsHub manage it, or drop it from the preview's variables`,
      'configuration',
    );
  }

  /** The project's variables of a branch, as Vercel lists them (no values). */
  private async listBranchEnvs(
    project: string,
    branch: string,
    signal: AbortSignal,
  ): Promise<Array<Record<string, unknown>>> {
    const listed = await this.call<unknown>(
      'list preview environment variables',
      signal,
      async options => {
        const result = await projectsFilterProjectEnvs(
          this.client,
          {
            idOrName: project,
            teamId: this.teamId,
            gitBranch: branch,
            decrypt: 'false',
          },
          options,
        );
        if (result.ok) return { ok: true, value: result.value as unknown };
        const { error } = result;
        // A list the SDK's schema no longer fully describes: its keys,
        // branches and comments can still be read.
        if (
          error instanceof ResponseValidationError &&
          error.statusCode === 200
        ) {
          return { ok: true, value: error.rawValue };
        }
        return result;
      },
    );
    if (!isObject(listed)) return [];
    // One variable, or `{ envs }` (with `pagination` when paged).
    if (Array.isArray(listed.envs)) return listed.envs.filter(isObject);
    return typeof listed.key === 'string' ? [listed] : [];
  }

  private async upsertEnvs(
    project: string,
    branch: string,
    comment: string,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
    signal: AbortSignal,
  ): Promise<PushedVariable[]> {
    const values = variables.map(v => v.value);
    const answer = await this.call<{ created: unknown; failed: unknown }>(
      'set preview environment variables',
      signal,
      async options => {
        const result = await projectsCreateProjectEnv(
          this.client,
          {
            idOrName: project,
            teamId: this.teamId,
            upsert: 'true',
            requestBody: variables.map(v => ({
              key: v.name,
              value: v.value,
              type: v.sensitive
                ? ('sensitive' as const)
                : ('encrypted' as const),
              target: ['preview' as const],
              gitBranch: branch,
              comment,
            })),
          },
          options,
        );
        if (result.ok) {
          return {
            ok: true,
            value: {
              created: result.value.created,
              failed: result.value.failed,
            },
          };
        }
        const { error } = result;
        // Variables set, but an answer the SDK's schema no longer fully
        // describes: their ids can still be read.
        if (
          error instanceof ResponseValidationError &&
          error.statusCode === 201 &&
          isObject(error.rawValue)
        ) {
          return {
            ok: true,
            value: {
              created: error.rawValue.created,
              failed: error.rawValue.failed,
            },
          };
        }
        return { ok: false, error: withoutValues(error, values) };
      },
    );
    const created = (
      Array.isArray(answer.created) ? answer.created : [answer.created]
    ).filter(isObject);
    const idOf = new Map<string, string>();
    for (const env of created) {
      if (typeof env.key === 'string' && typeof env.id === 'string') {
        idOf.set(env.key, env.id);
      }
    }
    const failed = (Array.isArray(answer.failed) ? answer.failed : [])
      .map(f => (isObject(f) && isObject(f.error) ? f.error : {}))
      .map(e => ({
        key: [e.key, e.envVarKey].find(k => typeof k === 'string') as
          | string
          | undefined,
        code: typeof e.code === 'string' ? e.code : 'unknown',
        message: typeof e.message === 'string' ? e.message : '',
      }));
    const missing = variables.filter(v => !idOf.has(v.name));
    if (failed.length || missing.length) {
      // Leave nothing behind that OpsHub will not have recorded.
      const recorded = new Set(pushed.map(p => p.providerId));
      for (const [name, providerId] of idOf) {
        if (!recorded.has(providerId)) {
          await this.removeEnv(project, { name, providerId }, signal, values);
        }
      }
      const refusals = failed.map(f =>
        redact(
          `${f.key ?? 'a variable'} (${f.code}${
            f.message ? `: ${f.message}` : ''
          })`,
          values,
        ),
      );
      const unanswered = missing
        .filter(v => !failed.some(f => f.key === v.name))
        .map(v => `${v.name} (no id in Vercel's answer)`);
      throw new PreviewProviderPermanentError(
        `Vercel refused preview environment variables of branch ${branch} in project ${project}: ${[
          ...refusals,
          ...unanswered,
        ].join('; ')}`,
        'configuration',
      );
    }
    return variables.map(v => ({
      name: v.name,
      providerId: idOf.get(v.name)!,
    }));
  }

  private async removeEnv(
    project: string,
    env: PushedVariable,
    signal: AbortSignal,
    values: string[],
  ): Promise<void> {
    await this.call<unknown>(
      `remove environment variable ${env.name}`,
      signal,
      async options => {
        const result = await projectsRemoveProjectEnv(
          this.client,
          { idOrName: project, id: env.providerId, teamId: this.teamId },
          options,
        );
        if (result.ok) return { ok: true, value: undefined };
        const { error } = result;
        // Already gone: what was wanted. A 200 the SDK's schema no longer
        // describes removed it too.
        if (
          (error instanceof VercelError && error.statusCode === 404) ||
          (error instanceof ResponseValidationError && error.statusCode === 200)
        ) {
          return { ok: true, value: undefined };
        }
        return { ok: false, error: withoutValues(error, values) };
      },
    );
  }

  /** One page of a project's deployments of a commit, newest first. */
  private listDeployments(
    query: { projectId: string; sha: string; until?: number },
    signal: AbortSignal,
  ) {
    return this.call('list deployments', signal, options =>
      deploymentsGetDeployments(
        this.client,
        { ...query, teamId: this.teamId, limit: LIST_PAGE_SIZE },
        options,
      ),
    );
  }

  private call<T>(
    operation: string,
    signal: AbortSignal,
    call: (options: RequestOptions) => Promise<Result<T, Error>>,
  ): Promise<T> {
    return callProviderApi(
      {
        provider: 'Vercel',
        operation,
        signal,
        timeoutMs: this.timeoutMs,
        failureOf,
      },
      // Retries belong to the queue, which frees the worker while it waits.
      async callSignal => {
        const result = await call({
          retries: { strategy: 'none' },
          fetchOptions: { signal: callSignal },
        });
        if (!result.ok) throw result.error;
        return result.value;
      },
    );
  }
}

function projectOf(source: PreviewSource): string {
  const project = source.annotations[VERCEL_PROJECT_ANNOTATION];
  if (!project) {
    throw new PreviewProviderPermanentError(
      `${source.entityRef} has no ${VERCEL_PROJECT_ANNOTATION} annotation`,
    );
  }
  return project;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A project's Git link (`link` of the project object) as a refusal names
 * it, and its `owner/name` when it is a repository on GitHub itself
 * (`github`, or `github-limited`: the same host through Vercel's limited
 * GitHub app). Absent or unreadable: no link.
 */
function describeLink(link: unknown): ProviderRepositoryLink {
  if (!isObject(link) || typeof link.type !== 'string') return {};
  const text = (key: string) =>
    typeof link[key] === 'string' && link[key] ? (link[key] as string) : '';
  const org = text('org');
  const repo = text('repo');
  const ownerAndName = org && repo ? `${org}/${repo}` : '';
  switch (link.type) {
    case 'github':
    case 'github-limited':
      return ownerAndName
        ? {
            githubRepository: ownerAndName,
            description: `GitHub repository ${ownerAndName}`,
          }
        : {
            description: `a GitHub repository of ${org || 'an unnamed owner'}`,
          };
    case 'github-custom-host':
      return {
        description: `${ownerAndName || org || 'a repository'} on GitHub host ${
          text('host') || 'unknown'
        }`,
      };
    case 'gitlab':
      return {
        description: `GitLab project ${
          text('projectNameWithNamespace') || text('projectUrl') || 'unnamed'
        }`,
      };
    case 'bitbucket':
      return {
        description: `Bitbucket repository ${
          text('owner') && text('slug')
            ? `${text('owner')}/${text('slug')}`
            : text('name') || 'unnamed'
        }`,
      };
    default: {
      const name =
        ownerAndName ||
        (text('owner') && repo ? `${text('owner')}/${repo}` : '');
      return {
        description: name
          ? `${link.type} repository ${name}`
          : `a repository of type ${link.type}`,
      };
    }
  }
}

/** What OpsHub writes into a deployment's `meta`, and `find` looks for. */
function metaOf(source: PreviewSource): Record<string, string> {
  return {
    opshubEntityRef: source.entityRef,
    opshubPr: String(source.prNumber),
    opshubSha: source.headSha,
  };
}

/**
 * The comment on every variable OpsHub creates, by which a retry whose
 * answer was lost knows it as its own for this entity and PR.
 */
function commentOf(source: PreviewSource): string {
  return `Managed by OpsHub for ${source.entityRef}#${source.prNumber}`;
}

/** A listed variable's `target`: a list or a single one. */
function targetsPreview(target: unknown): boolean {
  return Array.isArray(target)
    ? target.includes('preview')
    : target === 'preview';
}

/** Deployments carry their host name as `url` (absent in reduced views). */
function urlOf(deployment: object): string | undefined {
  return 'url' in deployment &&
    typeof deployment.url === 'string' &&
    deployment.url
    ? `https://${deployment.url}`
    : undefined;
}

/** `text` with every (non-trivial) value in `values` blanked out. */
function redact(text: string, values: string[]): string {
  return values
    .filter(value => value.length >= 3)
    .sort((a, b) => b.length - a.length)
    .reduce((t, value) => t.split(value).join('[redacted]'), text);
}

/**
 * An error of a call that carried variable values, safe to put in a
 * message: Vercel's answers keep their status and body (read as code only);
 * the SDK's own errors (request validation, connection) become their name
 * and a redacted message, never the request they may quote.
 */
function withoutValues(error: Error, values: string[]): Error {
  if (error instanceof VercelError) return error;
  return new Error(redact(`${error.name}: ${error.message}`, values));
}

/** Vercel's error body: `{ error: { code, message, limit? } }`. */
function failureOf(error: unknown): ProviderApiFailure | undefined {
  if (!(error instanceof VercelError)) return undefined;
  const body = parseErrorBody(error.body);
  const resetMs = body?.limit?.resetMs ?? (body?.limit?.reset ?? NaN) * 1000;
  return {
    status: error.statusCode,
    retryAfterMs: Number.isFinite(resetMs)
      ? Math.max(0, resetMs - Date.now())
      : retryAfterMsOf(error.headers),
    detail: body?.code,
  };
}

interface VercelErrorBody {
  code?: string;
  limit?: { reset?: number; resetMs?: number };
}

function parseErrorBody(body: string): VercelErrorBody | undefined {
  try {
    return JSON.parse(body)?.error;
  } catch {
    return undefined;
  }
}
