import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import {
  DEFAULT_RATE_LIMIT_WAIT_MS,
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  PreviewProviderTransientError,
  type PreviewSource,
} from '@opshub/plugin-opshub-node';
import {
  startFakeProviderApi,
  type FakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import {
  buildObject,
  DEPLOY_ID,
  deployObject,
  githubRepo,
  HEAD_SHA,
  SITE_ID,
  siteDeploysPage,
  siteObject,
} from './__fixtures__/netlifyObjects';
import {
  NetlifyPreviewProvider,
  type NetlifyPreviewProviderOptions,
} from './NetlifyPreviewProvider';
import { NETLIFY_ERROR_CODES } from './errorCodes';

const TOKEN = 'nfp_test_token_never_in_messages';

const source: PreviewSource = {
  entityRef: 'component:default/web',
  annotations: {
    'opshub.dev/preview-provider': 'netlify',
    'netlify.com/site-id': SITE_ID,
  },
  repository: 'acme/web',
  prNumber: 42,
  branch: 'feature/login-form',
  headSha: HEAD_SHA,
  fromFork: false,
};
const deployment = { deploymentId: DEPLOY_ID, source };

const SITE = 'GET /api/v1/sites/:site_id';
const BUILDS = 'POST /api/v1/sites/:site_id/builds';
const DEPLOY = 'GET /api/v1/deploys/:deploy_id';
const CANCEL = 'POST /api/v1/deploys/:deploy_id/cancel';
const DELETE = 'DELETE /api/v1/deploys/:deploy_id';
const LIST = 'GET /api/v1/sites/:site_id/deploys';

/** X-RateLimit-Reset (epoch seconds) `seconds` from now. */
function resetIn(seconds: number) {
  return {
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + seconds),
  };
}
const RATE_LIMITED = {
  status: 429,
  body: { code: 429, message: 'Rate limit exceeded' },
};

describe('NetlifyPreviewProvider', () => {
  let api: FakeProviderApi;
  /** The site's deploys, as the list route answers them. */
  let siteDeploys: Array<ReturnType<typeof deployObject>>;
  const noAbort = { signal: new AbortController().signal };

  beforeEach(async () => {
    api = await startFakeProviderApi();
    siteDeploys = [];
    api.route(LIST, ({ query }) => ({
      body: siteDeploysPage(siteDeploys, query),
    }));
    api.route(SITE, () => ({ body: siteObject() }));
    api.route(BUILDS, () => ({ body: buildObject() }));
    api.route(DEPLOY, () => ({ body: deployObject() }));
    api.route(CANCEL, () => ({
      status: 201,
      body: deployObject({ state: 'error', error_message: 'Canceled build' }),
    }));
    api.route(DELETE, () => ({ status: 204 }));
  });

  afterEach(() => api.close());

  function provider(options: Partial<NetlifyPreviewProviderOptions> = {}) {
    return new NetlifyPreviewProvider({
      token: TOKEN,
      apiBaseUrl: `${api.url}/api/v1`,
      timeoutMs: 5_000,
      ...options,
    });
  }

  function requestLines() {
    return api.requests.map(r => `${r.method} ${r.path}`);
  }

  describe('create', () => {
    it('starts a build of the PR branch on the annotated site', async () => {
      await expect(provider().create(source, noAbort)).resolves.toEqual({
        deploymentId: DEPLOY_ID,
      });

      expect(requestLines()).toEqual([
        `GET /api/v1/sites/${SITE_ID}`,
        `POST /api/v1/sites/${SITE_ID}/builds`,
      ]);
      const build = api.requests[1];
      expect(Object.fromEntries(build.query)).toEqual({
        branch: 'feature/login-form',
      });
      expect(build.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('refuses an entity without the site annotation', async () => {
      const error = await provider()
        .create({ ...source, annotations: {} }, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toContain("'netlify.com/site-id' annotation");
      expect(api.requests).toEqual([]);
    });

    it('refuses pull requests from forks', async () => {
      const error = await provider()
        .create({ ...source, fromFork: true }, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toContain('forks');
      expect(api.requests).toEqual([]);
    });

    it("refuses to build the site's production branch", async () => {
      const error = await provider()
        .create({ ...source, branch: 'main' }, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.message).toContain("'main' is the production branch");
      expect(requestLines()).toEqual([`GET /api/v1/sites/${SITE_ID}`]);
    });

    it('refuses a site linked to another repository, from the site it reads anyway', async () => {
      api.route(SITE, () => ({
        body: siteObject({}, githubRepo('acme/storefront')),
      }));

      const error = await provider()
        .create(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toBe(
        `Netlify site ${SITE_ID} is linked to GitHub repository acme/storefront, not to GitHub repository acme/web`,
      );
      expect(requestLines()).toEqual([`GET /api/v1/sites/${SITE_ID}`]);
    });

    it('reports an unknown site as configuration', async () => {
      api.answerOnce(SITE, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      const error = await provider()
        .create(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toBe(
        `Netlify could not read site ${SITE_ID}: HTTP 404 (Not Found)`,
      );
    });

    it('reports a refused token as configuration, without the token', async () => {
      api.answerOnce(SITE, {
        status: 401,
        body: { code: 401, message: 'Access Denied' },
      });

      const error = await provider()
        .create(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.message).toContain('HTTP 401 (Access Denied)');
      expect(error.message).not.toContain(TOKEN);
    });
  });

  describe('checkRepository', () => {
    /** The site, its `build_settings` linked as given. */
    const linkSite = (buildSettings: Parameters<typeof siteObject>[1]) =>
      api.route(SITE, () => ({ body: siteObject({}, buildSettings) }));
    const check = (overrides: Partial<PreviewSource> = {}) =>
      provider()
        .checkRepository({ ...source, ...overrides }, noAbort)
        .then(() => undefined)
        .catch(e => e);

    it('passes a site linked to the same GitHub repository, however it is cased', async () => {
      linkSite(githubRepo('Acme/Web'));

      await expect(check({ repository: 'acme/WEB' })).resolves.toBe(undefined);
      expect(requestLines()).toEqual([`GET /api/v1/sites/${SITE_ID}`]);
      const [read] = api.requests;
      expect([...read.query]).toEqual([]);
      expect(read.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('reads a .git suffix, an SSH remote, and repo_path when there is no URL', async () => {
      for (const settings of [
        { repo_url: 'https://github.com/acme/web.git' },
        { repo_url: 'git@github.com:acme/web.git' },
        { repo_url: 'ssh://git@github.com/Acme/web' },
        { repo_url: null, repo_path: 'acme/web' },
        { repo_url: '', repo_path: 'acme/web', provider: null },
      ]) {
        linkSite(settings);
        await expect(check()).resolves.toBe(undefined);
      }
      expect(api.requests).toHaveLength(5);
    });

    it('refuses a site linked to another repository, naming it', async () => {
      linkSite({
        repo_url: 'git@github.com:acme/storefront.git',
        repo_path: 'acme/storefront',
      });

      const error = await check();
      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toBe(
        `Netlify site ${SITE_ID} is linked to GitHub repository acme/storefront, not to GitHub repository acme/web`,
      );
    });

    it('refuses a site linked to no repository', async () => {
      linkSite({ provider: null, repo_url: null, repo_path: null });

      const error = await check();
      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toBe(
        `Netlify site ${SITE_ID} is not linked to a Git repository; OpsHub builds component:default/web only on a site linked to GitHub repository acme/web`,
      );

      api.route(SITE, () => ({ body: siteObject({ build_settings: {} }) }));
      expect((await check()).message).toMatch(
        /is not linked to a Git repository/,
      );
    });

    it('refuses a site linked to another Git provider or host, naming it', async () => {
      linkSite({
        provider: 'gitlab',
        repo_url: 'https://gitlab.com/acme/web',
        repo_path: 'acme/web',
      });
      const gitlab = await check();
      expect(gitlab).toBeInstanceOf(PreviewProviderPermanentError);
      expect(gitlab.errorClass).toBe('configuration');
      expect(gitlab.message).toBe(
        `Netlify site ${SITE_ID} is linked to GitLab repository https://gitlab.com/acme/web, not to GitHub repository acme/web`,
      );

      linkSite({ repo_url: 'https://github.example.com/acme/web' });
      expect((await check()).message).toBe(
        `Netlify site ${SITE_ID} is linked to repository https://github.example.com/acme/web (not on GitHub), not to GitHub repository acme/web`,
      );
    });

    it('refuses an unknown site as configuration', async () => {
      api.answerOnce(SITE, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      const error = await check();
      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(error.message).toBe(
        `Netlify could not read site ${SITE_ID}: HTTP 404 (Not Found)`,
      );
    });

    it('takes 5xx as transient', async () => {
      api.answerOnce(SITE, {
        status: 503,
        body: { code: 503, message: 'Service Unavailable' },
      });

      const error = await check();
      expect(error).toBeInstanceOf(PreviewProviderTransientError);
      expect(error.message).toBe(
        `Netlify could not read site ${SITE_ID}: HTTP 503 (Service Unavailable)`,
      );
      expect(api.requests).toHaveLength(1);
    });

    it('refuses an entity without the site annotation without calling Netlify', async () => {
      const error = await check({ annotations: {} });
      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
      expect(api.requests).toEqual([]);
    });
  });

  describe('find', () => {
    const OTHER_SHA = '0'.repeat(40);
    /** A deploy of the site, `minutes` after the fixture's. */
    const deployAt = (
      minutes: number,
      overrides: Parameters<typeof deployObject>[0] = {},
    ) =>
      deployObject({
        id: `6650c3f2a1b2c30008d4${String(minutes).padStart(4, '0')}`,
        created_at: new Date(
          Date.parse('2025-05-24T09:41:06.482Z') + minutes * 60_000,
        ).toISOString(),
        ...overrides,
      });

    it("finds the branch deploy of the PR's head", async () => {
      siteDeploys = [
        deployAt(1, { commit_ref: OTHER_SHA }),
        deployObject({ state: 'ready' }),
        deployAt(2, { branch: 'main', context: 'production' }),
      ];

      await expect(provider().find(source, noAbort)).resolves.toEqual({
        deploymentId: DEPLOY_ID,
      });

      expect(requestLines()).toEqual([`GET /api/v1/sites/${SITE_ID}/deploys`]);
      const [list] = api.requests;
      expect(Object.fromEntries(list.query)).toEqual({
        branch: 'feature/login-form',
        page: '1',
        per_page: '100',
      });
      expect(list.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('answers undefined when the branch has no deploy of the head', async () => {
      siteDeploys = [
        deployAt(1, { commit_ref: OTHER_SHA }),
        // The same commit on another branch.
        deployAt(2, { branch: 'feature/other' }),
      ];

      await expect(provider().find(source, noAbort)).resolves.toBeUndefined();
      expect(requestLines()).toEqual([`GET /api/v1/sites/${SITE_ID}/deploys`]);
    });

    it("passes over Netlify's own Deploy Preview, a deploy without its commit yet and another branch's", async () => {
      api.answerOnce(LIST, {
        body: [
          deployAt(3, { context: 'deploy-preview', review_id: 42 }),
          deployAt(2, { commit_ref: null, state: 'enqueued' }),
          // What the branch filter should have left out.
          deployAt(1, { branch: 'feature/other' }),
        ],
      });

      await expect(provider().find(source, noAbort)).resolves.toBeUndefined();
    });

    it('answers the newest of several deploys of the head', async () => {
      api.answerOnce(LIST, {
        // Oldest first: find still takes the newest.
        body: [deployAt(1), deployAt(7), deployAt(3)],
      });

      await expect(provider().find(source, noAbort)).resolves.toEqual({
        deploymentId: deployAt(7).id,
      });
    });

    it('reads on through the pages until it finds the deploy', async () => {
      siteDeploys = [
        deployObject(),
        ...Array.from({ length: 120 }, (_, i) =>
          deployAt(i + 1, { commit_ref: OTHER_SHA }),
        ),
      ];

      await expect(provider().find(source, noAbort)).resolves.toEqual({
        deploymentId: DEPLOY_ID,
      });
      expect(api.requests.map(r => r.query.get('page'))).toEqual(['1', '2']);
    });

    it('stops at the last page', async () => {
      siteDeploys = Array.from({ length: 100 }, (_, i) =>
        deployAt(i + 1, { commit_ref: OTHER_SHA }),
      );

      await expect(provider().find(source, noAbort)).resolves.toBeUndefined();
      expect(api.requests.map(r => r.query.get('page'))).toEqual(['1', '2']);
    });

    it('refuses an entity without the site annotation, and has nothing for a fork, without calling Netlify', async () => {
      const error = await provider()
        .find({ ...source, annotations: {} }, noAbort)
        .catch(e => e);
      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');

      await expect(
        provider().find({ ...source, fromFork: true }, noAbort),
      ).resolves.toBeUndefined();
      expect(api.requests).toEqual([]);
    });

    it.each([500, 502, 503])('reports %i as transient', async status => {
      api.answerOnce(LIST, {
        status,
        body: { code: status, message: 'Internal Server Error' },
      });

      const error = await provider()
        .find(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderTransientError);
      expect(error.message).toBe(
        `Netlify could not list the deploys of branch 'feature/login-form' on site ${SITE_ID}: HTTP ${status} (Internal Server Error)`,
      );
      expect(api.requests).toHaveLength(1);
    });

    it('reports an unknown site as configuration', async () => {
      api.answerOnce(LIST, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      const error = await provider()
        .find(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderPermanentError);
      expect(error.errorClass).toBe('configuration');
    });

    it('reports a 429 that outlasts the client retries as rate-limited', async () => {
      api.answerOnce(
        LIST,
        ...Array.from({ length: 6 }, () => ({
          ...RATE_LIMITED,
          headers: resetIn(1),
        })),
      );

      const error = await provider({ timeoutMs: 20_000 })
        .find(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderRateLimitedError);
      expect(error.message).toBe(
        `Netlify could not list the deploys of branch 'feature/login-form' on site ${SITE_ID}: HTTP 429 (Rate limit exceeded)`,
      );
      expect(error.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
      expect(api.requests).toHaveLength(6);
    }, 20_000);
  });

  describe('status', () => {
    it.each([
      'new',
      'enqueued',
      'building',
      'uploading',
      'uploaded',
      'preparing',
      'prepared',
      'processing',
      'processed',
    ])('reports %s as building', async state => {
      api.route(DEPLOY, () => ({ body: deployObject({ state }) }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'building',
      });
      expect(requestLines()).toEqual([`GET /api/v1/deploys/${DEPLOY_ID}`]);
    });

    it("reports a ready deploy at the deploy's own URL", async () => {
      api.route(DEPLOY, () => ({
        body: deployObject({
          state: 'ready',
          screenshot_url: `https://d33wubrfki0l68.cloudfront.net/${DEPLOY_ID}/screenshot.png`,
        }),
      }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'ready',
        url: `https://${DEPLOY_ID}--opshub-web.netlify.app`,
      });
    });

    it('reports a build error with Netlify’s message', async () => {
      api.route(DEPLOY, () => ({
        body: deployObject({
          state: 'error',
          error_message:
            "Failed during stage 'building site': Build script returned non-zero exit code: 2",
        }),
      }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'failed',
        errorClass: 'build',
        errorCode: 'error',
        message:
          "Failed during stage 'building site': Build script returned non-zero exit code: 2",
      });
    });

    it('reports a deploy rejected in review as cancelled', async () => {
      api.route(DEPLOY, () => ({ body: deployObject({ state: 'rejected' }) }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'failed',
        errorClass: 'cancelled',
        errorCode: 'rejected',
        message: `Netlify deploy ${DEPLOY_ID} was rejected in review`,
      });
    });

    it('reports a ready deploy without a URL as unknown', async () => {
      api.route(DEPLOY, () => ({
        body: deployObject({
          state: 'ready',
          url: '',
          ssl_url: '',
          deploy_ssl_url: '',
        }),
      }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'failed',
        errorClass: 'unknown',
        errorCode: 'ready',
        message: `Netlify reports deploy ${DEPLOY_ID} ready without a URL`,
      });
    });

    it('reports the class of the error code table for each of its codes', async () => {
      const reported: Array<[string | undefined, string]> = [];
      for (const state of ['error', 'rejected']) {
        api.route(DEPLOY, () => ({ body: deployObject({ state }) }));
        const status = await provider().status(deployment, noAbort);
        if (status.state === 'failed') {
          reported.push([status.errorCode, status.errorClass]);
        }
      }
      api.answerOnce(DEPLOY, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });
      const gone = await provider().status(deployment, noAbort);
      if (gone.state === 'failed') {
        reported.push([gone.errorCode, gone.errorClass]);
      }

      expect(Object.fromEntries(reported)).toEqual(NETLIFY_ERROR_CODES);
    });

    it('reports an unknown state as failed rather than building forever', async () => {
      api.route(DEPLOY, () => ({ body: deployObject({ state: 'exploded' }) }));

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'failed',
        errorClass: 'unknown',
        errorCode: 'exploded',
        message: `Netlify deploy ${DEPLOY_ID} is in an unknown state 'exploded'`,
      });
    });

    it('reports a deploy deleted outside OpsHub as cancelled', async () => {
      api.answerOnce(DEPLOY, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      await expect(provider().status(deployment, noAbort)).resolves.toEqual({
        state: 'failed',
        errorClass: 'cancelled',
        errorCode: 'not_found',
        message: `Netlify deploy ${DEPLOY_ID} no longer exists`,
      });
    });
  });

  describe('destroy', () => {
    it('deletes a finished deploy', async () => {
      api.route(DEPLOY, () => ({ body: deployObject({ state: 'ready' }) }));

      await provider().destroy(deployment, noAbort);

      expect(requestLines()).toEqual([
        `GET /api/v1/deploys/${DEPLOY_ID}`,
        `DELETE /api/v1/deploys/${DEPLOY_ID}`,
      ]);
      expect(api.requests[1].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('cancels a deploy still building before deleting it', async () => {
      await provider().destroy(deployment, noAbort);

      expect(requestLines()).toEqual([
        `GET /api/v1/deploys/${DEPLOY_ID}`,
        `POST /api/v1/deploys/${DEPLOY_ID}/cancel`,
        `DELETE /api/v1/deploys/${DEPLOY_ID}`,
      ]);
    });

    it('deletes a deploy that finished before the cancel reached it', async () => {
      api.answerOnce(CANCEL, {
        status: 422,
        body: { code: 422, message: 'Deploy is not cancelable' },
      });

      await provider().destroy(deployment, noAbort);

      expect(requestLines()).toContain(`DELETE /api/v1/deploys/${DEPLOY_ID}`);
    });

    it('retries later while Netlify is still stopping a cancelled deploy', async () => {
      api.answerOnce(DELETE, {
        status: 422,
        body: { code: 422, message: 'Deploy is still building' },
      });

      await expect(provider().destroy(deployment, noAbort)).rejects.toThrow(
        PreviewProviderTransientError,
      );
    });

    it('treats a refused delete of a finished deploy as configuration', async () => {
      api.route(DEPLOY, () => ({ body: deployObject({ state: 'ready' }) }));
      api.answerOnce(DELETE, {
        status: 422,
        body: { code: 422, message: 'Cannot delete the published deploy' },
      });

      await expect(provider().destroy(deployment, noAbort)).rejects.toThrow(
        PreviewProviderPermanentError,
      );
    });

    it('succeeds when the deploy is already gone', async () => {
      api.answerOnce(DEPLOY, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      await provider().destroy(deployment, noAbort);

      expect(requestLines()).toEqual([`GET /api/v1/deploys/${DEPLOY_ID}`]);
    });

    it('succeeds when the deploy disappears before the delete', async () => {
      api.route(DEPLOY, () => ({ body: deployObject({ state: 'error' }) }));
      api.answerOnce(DELETE, {
        status: 404,
        body: { code: 404, message: 'Not Found' },
      });

      await expect(
        provider().destroy(deployment, noAbort),
      ).resolves.toBeUndefined();
    });
  });

  describe('rate limits and failures', () => {
    it('waits out X-RateLimit-Reset on 429, then succeeds', async () => {
      api.answerOnce(BUILDS, { ...RATE_LIMITED, headers: resetIn(3) });
      const started = Date.now();

      await expect(provider().create(source, noAbort)).resolves.toEqual({
        deploymentId: DEPLOY_ID,
      });

      // The reset is 2-3 s ahead: longer than the client's 1 s minimum and
      // shorter than its 5 s default, so the header was honoured.
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(1_900);
      expect(waited).toBeLessThan(4_500);
      expect(requestLines().filter(line => line.startsWith('POST'))).toEqual([
        `POST /api/v1/sites/${SITE_ID}/builds`,
        `POST /api/v1/sites/${SITE_ID}/builds`,
      ]);
    });

    it('reports a 429 that outlasts the client retries as rate-limited', async () => {
      // The client tries six times, waiting at least 1 s between tries.
      api.answerOnce(
        BUILDS,
        ...Array.from({ length: 6 }, () => ({
          ...RATE_LIMITED,
          headers: resetIn(1),
        })),
      );

      const error = await provider({ timeoutMs: 20_000 })
        .create(source, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderRateLimitedError);
      expect(error.message).toBe(
        `Netlify could not start a build of branch 'feature/login-form' on site ${SITE_ID}: HTTP 429 (Rate limit exceeded)`,
      );
      // Netlify's errors carry no headers: OpsHub's default wait applies.
      expect(error.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
      expect(api.requests.filter(r => r.method === 'POST')).toHaveLength(6);
    }, 20_000);

    it('ends a rate-limit wait longer than the timeout at the timeout', async () => {
      api.answerOnce(DEPLOY, { ...RATE_LIMITED, headers: resetIn(3) });
      const started = Date.now();

      const error = await provider({ timeoutMs: 300 })
        .status(deployment, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderTransientError);
      expect(error.message).toContain('no answer within 300 ms');
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('stops a rate-limit wait when the job is aborted', async () => {
      api.answerOnce(DEPLOY, { ...RATE_LIMITED, headers: resetIn(3) });
      const job = new AbortController();
      setTimeout(() => job.abort(new Error('shutting down')), 200);

      await expect(
        provider().status(deployment, { signal: job.signal }),
      ).rejects.toThrow('shutting down');
    });

    it.each([500, 502, 503, 504])(
      'reports %i as transient, without retrying it itself',
      async status => {
        api.answerOnce(DEPLOY, {
          status,
          body: { code: status, message: 'Internal Server Error' },
        });

        const error = await provider()
          .status(deployment, noAbort)
          .catch(e => e);

        expect(error).toBeInstanceOf(PreviewProviderTransientError);
        expect(error.message).toContain(`HTTP ${status}`);
        expect(api.requests).toHaveLength(1);
      },
    );

    it('stays transient on every attempt while Netlify answers 5xx', async () => {
      // OpsHub's queue retries transient errors with backoff until the job
      // is dead; its tests cover that part. Each attempt here must stay
      // transient, also for a 5xx page that is not JSON.
      api.route(DEPLOY, () => ({
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><body>502 Bad Gateway</body></html>',
      }));
      const p = provider();

      for (let attempt = 0; attempt < 3; attempt++) {
        await expect(p.status(deployment, noAbort)).rejects.toThrow(
          PreviewProviderTransientError,
        );
        await expect(p.destroy(deployment, noAbort)).rejects.toThrow(
          PreviewProviderTransientError,
        );
      }
      expect(api.requests).toHaveLength(6);
    });

    it('reports an answer slower than the timeout as transient', async () => {
      api.answerOnce(DEPLOY, { body: deployObject(), delayMs: 2_000 });

      const error = await provider({ timeoutMs: 200 })
        .status(deployment, noAbort)
        .catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderTransientError);
      expect(error.message).toBe(
        `Netlify could not read deploy ${DEPLOY_ID}: no answer within 200 ms`,
      );
    });

    it('reports an unreachable API as transient, without the token', async () => {
      const p = provider();
      await api.close();

      const error = await p.create(source, noAbort).catch(e => e);

      expect(error).toBeInstanceOf(PreviewProviderTransientError);
      expect(error.message).not.toContain(TOKEN);
    });
  });

  describe('fromConfig', () => {
    function fromConfig(netlify: JsonObject) {
      return NetlifyPreviewProvider.fromConfig(new ConfigReader(netlify));
    }

    it('reads the token, base URL and timeout', async () => {
      api.answerOnce(DEPLOY, { body: deployObject(), delayMs: 1_000 });
      const p = fromConfig({
        token: TOKEN,
        apiBaseUrl: `${api.url}/api/v1/`,
        timeout: '150ms',
      });

      await expect(p.status(deployment, noAbort)).rejects.toThrow(
        'no answer within 150 ms',
      );
      expect(api.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(api.requests[0].path).toBe(`/api/v1/deploys/${DEPLOY_ID}`);
    });

    it('takes a timeout in milliseconds', async () => {
      api.answerOnce(DEPLOY, { body: deployObject(), delayMs: 1_000 });
      const p = fromConfig({
        token: TOKEN,
        apiBaseUrl: `${api.url}/api/v1`,
        timeout: 100,
      });

      await expect(p.status(deployment, noAbort)).rejects.toThrow(
        'no answer within 100 ms',
      );
    });

    it('requires a token', () => {
      expect(() => fromConfig({ apiBaseUrl: api.url })).toThrow(
        "Missing required config value at 'token'",
      );
    });

    it('refuses a base URL without the API path', () => {
      expect(() => fromConfig({ token: TOKEN, apiBaseUrl: api.url })).toThrow(
        'must be the API root with its path',
      );
    });

    it("defaults to Netlify's API", () => {
      const p = fromConfig({ token: TOKEN });
      expect(
        (p as unknown as { client: { basePath: string } }).client.basePath,
      ).toBe('https://api.netlify.com/api/v1');
    });
  });
});
