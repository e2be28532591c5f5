import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import type { NetlifyAPI } from '@netlify/api';
import {
  callProviderApi,
  PreviewProviderPermanentError,
  PreviewProviderTransientError,
  type PreviewDeployment,
  type PreviewDeploymentStatus,
  type PreviewProvider,
  type PreviewSource,
  type PreviewVariable,
  type PushedVariable,
  refuseUnlessLinkedTo,
} from '@opshub/plugin-opshub-node';
import {
  isInProgress,
  statusOfDeploy,
  statusOfMissingDeploy,
} from './deployStatus';
import { NETLIFY_PROVIDER_ID } from './errorCodes';
import { EnvironmentSync, redactValues } from './environment';
import {
  createNetlifyClient,
  GONE,
  httpStatusOf,
  ignoreStatus,
  netlifyFailureOf,
  type NetlifySite,
  orGone,
  untilAborted,
} from './netlifyApi';
import { linkedRepositoryOf } from './linkedRepository';

/**
 * The entity annotation naming the Netlify site (its API id) to deploy.
 *
 * @public
 */
export const NETLIFY_SITE_ID_ANNOTATION = 'netlify.com/site-id';

const DEFAULT_API_BASE_URL = 'https://api.netlify.com/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;
/** Deploys per page of `find`'s listing, and the pages it reads at most. */
const LIST_PAGE_SIZE = 100;
const LIST_MAX_PAGES = 10;
/** The deploy context of a build of a branch other than production. */
const BRANCH_DEPLOY = 'branch-deploy';

/**
 * Options of {@link NetlifyPreviewProvider}.
 *
 * @public
 */
export interface NetlifyPreviewProviderOptions {
  /** A Netlify personal access token (or OAuth token) allowed on the sites. */
  token: string;
  /** Defaults to `https://api.netlify.com/api/v1`. */
  apiBaseUrl?: string;
  /** Per API call, including the client's own waits on 429. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Preview environments on Netlify: each pull request head becomes a build of
 * its branch on the site named by the entity's `netlify.com/site-id`
 * annotation (a Netlify branch deploy), followed to `ready` or `error` and
 * deleted on teardown.
 *
 * `find` knows an earlier attempt's deploy again by its branch and commit,
 * so a retried `create` does not build the same head twice.
 *
 * @public
 */
export class NetlifyPreviewProvider implements PreviewProvider {
  readonly id = NETLIFY_PROVIDER_ID;
  private readonly client: NetlifyAPI;
  private readonly timeoutMs: number;

  constructor(options: NetlifyPreviewProviderOptions) {
    this.client = createNetlifyClient(
      options.token,
      options.apiBaseUrl ?? DEFAULT_API_BASE_URL,
    );
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * From the `opshub.providers.netlify` block; without its own `timeout`,
   * calls take the queue's call timeout (`opshub.queue.callTimeout`).
   */
  static fromConfig(
    netlify: Config,
    defaults?: { callTimeoutMs: number },
  ): NetlifyPreviewProvider {
    return new NetlifyPreviewProvider({
      token: netlify.getString('token'),
      apiBaseUrl: netlify.getOptionalString('apiBaseUrl'),
      timeoutMs: readTimeoutMs(netlify) ?? defaults?.callTimeoutMs,
    });
  }

  async create(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeployment> {
    if (source.fromFork) {
      throw new PreviewProviderPermanentError(
        'The Netlify provider does not preview pull requests from forks: ' +
          "Netlify builds branches of the site's own repository, and a " +
          "fork's branch is not there",
        'configuration',
      );
    }
    const siteId = siteIdOf(source);
    const site = await this.readSite(siteId, signal);
    // The same read checks the site's repository, in case it was relinked
    // since OpsHub last asked `checkRepository`.
    refuseUnlessSiteLinkedTo(source, siteId, site);
    // Netlify builds the site's production branch as a production deploy,
    // which a preview must never publish (nor delete on teardown).
    if (site.build_settings?.repo_branch === source.branch) {
      throw new PreviewProviderPermanentError(
        `Branch '${source.branch}' is the production branch of Netlify site ` +
          `${siteId}; OpsHub does not preview it, as the build would publish ` +
          'production',
        'configuration',
      );
    }
    const build = await this.call(
      `start a build of branch '${source.branch}' on site ${siteId}`,
      signal,
      callSignal =>
        this.client.createSiteBuild(
          { site_id: siteId, branch: source.branch },
          { signal: callSignal },
        ),
    );
    if (!build.deploy_id) {
      throw new PreviewProviderPermanentError(
        `Netlify started build ${build.id} on site ${siteId} without a deploy`,
        'unknown',
      );
    }
    return { deploymentId: build.deploy_id };
  }

  /**
   * The newest branch deploy of the PR's branch whose commit is the head:
   * lists the site's deploys of the branch (newest first, page by page).
   * Netlify's own Deploy Previews of the same commit do not count, nor does
   * a deploy whose commit Netlify has not resolved yet. A fork's PR has none:
   * `create` refuses forks.
   */
  async find(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeployment | undefined> {
    const siteId = siteIdOf(source);
    if (source.fromFork) return undefined;
    for (let page = 1; page <= LIST_MAX_PAGES; page++) {
      const deploys = await this.call(
        `list the deploys of branch '${source.branch}' on site ${siteId}`,
        signal,
        callSignal =>
          this.client.listSiteDeploys(
            {
              site_id: siteId,
              branch: source.branch,
              page,
              per_page: LIST_PAGE_SIZE,
            },
            { signal: callSignal },
          ),
      );
      const found = deploys
        .filter(
          deploy =>
            deploy.id &&
            deploy.commit_ref === source.headSha &&
            deploy.branch === source.branch &&
            deploy.context === BRANCH_DEPLOY,
        )
        .sort((a, b) => createdAtOf(b) - createdAtOf(a))[0];
      if (found?.id) return { deploymentId: found.id };
      if (deploys.length < LIST_PAGE_SIZE) return undefined;
    }
    return undefined;
  }

  /**
   * Reads the site (`GET /sites/{site_id}`) and refuses, as
   * `configuration`, one whose repository (`build_settings.repo_url`, else
   * `repo_path`) is not `source.repository` on GitHub, compared
   * case-insensitively: linked to another repository, to another Git
   * provider, or to none. An unknown site is refused too; 5xx, no answer
   * and 429 are retried as for every call.
   */
  async checkRepository(
    source: PreviewSource,
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    const siteId = siteIdOf(source);
    refuseUnlessSiteLinkedTo(
      source,
      siteId,
      await this.readSite(siteId, signal),
    );
  }

  async status(
    deployment: PreviewDeployment & { source: PreviewSource },
    { signal }: { signal: AbortSignal },
  ): Promise<PreviewDeploymentStatus> {
    const deployId = deployment.deploymentId;
    const deploy = await this.call(`read deploy ${deployId}`, signal, s =>
      orGone(this.client.getDeploy({ deploy_id: deployId }, { signal: s })),
    );
    if (deploy === GONE) return statusOfMissingDeploy(deployId);
    return statusOfDeploy(deploy);
  }

  /**
   * Cancels the deploy if Netlify is still working on it, then deletes it;
   * a deploy that is already gone counts as destroyed.
   */
  async destroy(
    deployment: PreviewDeployment & { source: PreviewSource },
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    const deployId = deployment.deploymentId;
    const deploy = await this.call(`read deploy ${deployId}`, signal, s =>
      orGone(this.client.getDeploy({ deploy_id: deployId }, { signal: s })),
    );
    if (deploy === GONE) return;

    const wasInProgress = isInProgress(deploy.state);
    if (wasInProgress) {
      const cancelled = await this.call(
        `cancel deploy ${deployId}`,
        signal,
        s =>
          orGone(
            this.client
              .cancelSiteDeploy({ deploy_id: deployId }, { signal: s })
              // Finished between our read and the cancel: delete it anyway.
              .catch(ignoreStatus(409, 422)),
          ),
      );
      if (cancelled === GONE) return;
    }

    await this.call(`delete deploy ${deployId}`, signal, s =>
      orGone(
        this.client
          .deleteDeploy({ deploy_id: deployId }, { signal: s })
          .catch(error => {
            const status = httpStatusOf(error);
            // The client parses the empty 204 body as JSON when the answer
            // says `application/json`, and throws with status 204.
            if (status !== undefined && status >= 200 && status < 300) return;
            // A cancelled deploy takes a moment to stop; retry later.
            if (wasInProgress && (status === 409 || status === 422)) {
              throw new PreviewProviderTransientError(
                'the deploy is still being cancelled',
              );
            }
            throw error;
          }),
      ),
    );
  }

  /**
   * Makes the values of the branch context for `source.branch` exactly
   * `variables`, on the site's account (`account_id` from the site):
   * a key the site does not have yet is created with that one value
   * (`POST /accounts/{account_id}/env?site_id=`, recorded as created by
   * OpsHub); on an existing key only the branch value is set
   * (`PATCH /accounts/{account_id}/env/{key}?site_id=`). A variable in
   * `pushed` but not in `variables` loses exactly the value OpsHub recorded
   * (`DELETE .../env/{key}/value/{id}`), or the whole key when OpsHub
   * created it and nobody added a value since (`DELETE .../env/{key}`).
   * Values of other contexts and other branches are never written. A fork's
   * PR gets nothing, without a request.
   */
  async syncEnvironment(
    source: PreviewSource,
    variables: PreviewVariable[],
    pushed: PushedVariable[],
    { signal }: { signal: AbortSignal },
  ): Promise<PushedVariable[]> {
    if (source.fromFork) return [];
    if (variables.length === 0 && pushed.length === 0) return [];
    const siteId = siteIdOf(source);
    const site = await this.readSite(siteId, signal);
    const accountId = site.account_id || site.account_slug;
    if (!accountId) {
      throw new PreviewProviderPermanentError(
        `Netlify site ${siteId} names no account to set its environment ` +
          'variables on',
        'configuration',
      );
    }
    if (variables.length > 0) {
      // Never push an entity's variables to a site of another repository,
      // nor branch values that the production build would read.
      refuseUnlessSiteLinkedTo(source, siteId, site);
      if (site.build_settings?.repo_branch === source.branch) {
        throw new PreviewProviderPermanentError(
          `Branch '${source.branch}' is the production branch of Netlify ` +
            `site ${siteId}; OpsHub does not push preview variables to it`,
          'configuration',
        );
      }
    }
    const secrets = variables.map(variable => variable.value);
    const env = new EnvironmentSync(
      this.client,
      (operation, call) => this.call(operation, signal, call, secrets),
      accountId,
      siteId,
      source.branch,
    );
    const listed = await env.list();
    const byKey = new Map(listed.map(envVar => [envVar.key, envVar]));
    const recordedByName = new Map(pushed.map(p => [p.name, p]));
    // A branch value of others refuses the whole call before any write.
    env.refuseOthersBranchValues(variables, recordedByName, byKey);
    const wanted = new Set(variables.map(variable => variable.name));
    for (const recorded of pushed) {
      if (!wanted.has(recorded.name)) {
        await env.remove(recorded, byKey.get(recorded.name));
      }
    }
    const now: PushedVariable[] = [];
    try {
      for (const variable of variables) {
        now.push(
          await env.push(
            variable,
            recordedByName.get(variable.name),
            byKey.get(variable.name),
          ),
        );
      }
    } catch (error) {
      // What this call wrote for unrecorded variables is not recorded
      // either: undo it so a retry does not refuse it as a value of others.
      for (const created of now) {
        if (recordedByName.has(created.name)) continue;
        await env.rollBack(created).catch(() => undefined);
      }
      throw error;
    }
    return now;
  }

  private readSite(siteId: string, signal: AbortSignal): Promise<NetlifySite> {
    return this.call(`read site ${siteId}`, signal, callSignal =>
      this.client.getSite({ site_id: siteId }, { signal: callSignal }),
    );
  }

  /**
   * One client call through OpsHub's shared error mapping. The client sleeps
   * out `X-RateLimit-Reset` itself (up to five times) without watching the
   * signal, so the call is also raced against it: a shutdown or the timeout
   * ends the wait instead of sitting through it.
   */
  /**
   * `redact`: values that must not reach the error, should Netlify's own
   * message echo the request.
   */
  private call<T>(
    operation: string,
    signal: AbortSignal,
    call: (signal: AbortSignal) => Promise<T>,
    redact: string[] = [],
  ): Promise<T> {
    return callProviderApi(
      {
        provider: 'Netlify',
        operation,
        signal,
        timeoutMs: this.timeoutMs,
        failureOf: error => {
          const failure = netlifyFailureOf(error);
          return failure && redact.length > 0
            ? { ...failure, detail: redactValues(failure.detail, redact) }
            : failure;
        },
      },
      callSignal => untilAborted(call(callSignal), callSignal),
    );
  }
}

/** Refuses, as `configuration`, a site not linked to the PR's repository. */
function refuseUnlessSiteLinkedTo(
  source: PreviewSource,
  siteId: string,
  site: NetlifySite,
): void {
  refuseUnlessLinkedTo(source, {
    name: `Netlify site ${siteId}`,
    place: 'on a site',
    link: linkedRepositoryOf(site.build_settings),
  });
}

function createdAtOf(deploy: { created_at?: string }): number {
  const at = Date.parse(deploy.created_at ?? '');
  return Number.isNaN(at) ? 0 : at;
}

function siteIdOf(source: PreviewSource): string {
  const siteId = source.annotations[NETLIFY_SITE_ID_ANNOTATION]?.trim();
  if (!siteId) {
    throw new PreviewProviderPermanentError(
      `Entity ${source.entityRef} has no '${NETLIFY_SITE_ID_ANNOTATION}' ` +
        'annotation naming the Netlify site to deploy',
      'configuration',
    );
  }
  return siteId;
}

function readTimeoutMs(netlify: Config): number | undefined {
  if (!netlify.has('timeout')) return undefined;
  const raw = netlify.get('timeout');
  const ms =
    typeof raw === 'number'
      ? raw
      : durationToMilliseconds(
          readDurationFromConfig(netlify, { key: 'timeout' }),
        );
  if (!(ms > 0)) {
    throw new Error('opshub.providers.netlify.timeout must be positive');
  }
  return ms;
}
