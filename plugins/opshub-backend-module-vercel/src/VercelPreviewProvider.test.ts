import { ConfigReader } from '@backstage/config';
import {
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  PreviewProviderTransientError,
  type PreviewSource,
  type PreviewVariable,
  type PushedVariable,
} from '@opshub/plugin-opshub-node';
import type { GetProjectLink } from '@vercel/sdk/models/getprojectfrompreset.js';
import {
  githubLink,
  listedDeployment,
  othersEnv,
  rateLimited,
  startFakeVercel,
  vercelDeployment,
  vercelError,
  vercelProject,
} from './__fixtures__/fakeVercel';
import { VERCEL_ERROR_CODES } from './errorCodes';
import { VercelPreviewProvider } from './VercelPreviewProvider';

const SHA = 'a'.repeat(40);
const source: PreviewSource = {
  entityRef: 'component:default/storefront',
  annotations: { 'vercel.com/project-id': 'prj_storefront' },
  repository: 'acme/storefront',
  prNumber: 7,
  branch: 'feature/search',
  headSha: SHA,
  fromFork: false,
};
const signal = new AbortController().signal;

describe('VercelPreviewProvider', () => {
  let vercel: Awaited<ReturnType<typeof startFakeVercel>>;
  let provider: VercelPreviewProvider;
  beforeEach(async () => {
    vercel = await startFakeVercel();
    provider = VercelPreviewProvider.fromConfig(
      new ConfigReader({
        token: 'vercel-token',
        teamId: 'team_acme',
        apiBaseUrl: vercel.url,
        timeout: { seconds: 1 },
      }),
    );
  });
  afterEach(() => vercel.close());

  const deploymentOf = (deploymentId: string) => ({ deploymentId, source });

  it("creates a preview deployment from the PR's GitHub head", async () => {
    const created = await provider.create(source, { signal });

    expect(created).toEqual({
      deploymentId: 'dpl_00000001abcdef',
      url: 'https://storefront-00000001-acme.vercel.app',
    });
    const [request] = vercel.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v13/deployments');
    expect(request.query.get('teamId')).toBe('team_acme');
    expect(request.headers.authorization).toBe('Bearer vercel-token');
    // No target: Vercel makes a preview deployment.
    expect(request.body).toEqual({
      name: 'prj_storefront',
      project: 'prj_storefront',
      gitSource: {
        type: 'github',
        org: 'acme',
        repo: 'storefront',
        ref: 'feature/search',
        sha: SHA,
      },
      meta: {
        opshubEntityRef: 'component:default/storefront',
        opshubPr: '7',
        opshubSha: SHA,
        githubPrId: '7',
      },
    });
  });

  describe('find', () => {
    const OTHER_SHA = 'b'.repeat(40);
    const listLines = () =>
      vercel.requests
        .filter(r => r.method === 'GET')
        .map(r => `${r.path}?${r.query}`);

    it('finds the deployment an earlier attempt created for the head, by its meta', async () => {
      const created = await provider.create(source, { signal });
      vercel.requests.length = 0;

      await expect(provider.find(source, { signal })).resolves.toEqual({
        deploymentId: created.deploymentId,
        url: 'https://storefront-00000001-acme.vercel.app',
      });
      expect(vercel.requests).toHaveLength(1);
      const [request] = vercel.requests;
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/v7/deployments');
      expect(Object.fromEntries(request.query)).toEqual({
        projectId: 'prj_storefront',
        sha: SHA,
        teamId: 'team_acme',
        limit: '100',
      });
      expect(request.headers.authorization).toBe('Bearer vercel-token');
    });

    it('answers undefined when no deployment of the head exists', async () => {
      await expect(provider.find(source, { signal })).resolves.toBeUndefined();
      expect(listLines()).toEqual([
        `/v7/deployments?limit=100&projectId=prj_storefront&sha=${SHA}&teamId=team_acme`,
      ]);
    });

    it("passes over another PR's, another head's and another entity's deployments, and Vercel's own", async () => {
      await provider.create({ ...source, prNumber: 8 }, { signal });
      await provider.create({ ...source, headSha: OTHER_SHA }, { signal });
      await provider.create(
        { ...source, entityRef: 'component:default/checkout' },
        { signal },
      );
      // Vercel's Git integration deployed the same commit by itself.
      vercel.deployments.set(
        'dpl_git00000',
        vercelDeployment({
          id: 'dpl_git00000',
          readyState: 'READY',
          sha: SHA,
          ref: source.branch,
          createdAt: Date.parse('2026-11-27T00:00:00Z'),
        }),
      );

      await expect(provider.find(source, { signal })).resolves.toBeUndefined();

      // The same commit with OpsHub's meta of another PR is not this one.
      vercel.deployments.set(
        'dpl_forged00',
        vercelDeployment({
          id: 'dpl_forged00',
          readyState: 'READY',
          sha: SHA,
          ref: source.branch,
          meta: {
            opshubEntityRef: source.entityRef,
            opshubPr: '7',
            opshubSha: OTHER_SHA,
          },
        }),
      );
      await expect(provider.find(source, { signal })).resolves.toBeUndefined();

      const mine = await provider.create(source, { signal });
      await expect(provider.find(source, { signal })).resolves.toMatchObject({
        deploymentId: mine.deploymentId,
      });
    });

    it('answers the newest of several attempts, and skips deleted ones', async () => {
      await provider.create(source, { signal });
      const second = await provider.create(source, { signal });
      // Listed oldest first: find still takes the newest.
      const listed = [...vercel.deployments.values()].map(listedDeployment);
      vercel.answerOnce('GET /v7/deployments', {
        body: {
          deployments: listed,
          pagination: { count: 2, next: null, prev: null },
        },
      });
      await expect(provider.find(source, { signal })).resolves.toMatchObject({
        deploymentId: second.deploymentId,
      });

      vercel.answerOnce('GET /v7/deployments', {
        body: {
          deployments: [
            { ...listed[1], readyState: 'DELETED', state: 'DELETED' },
            listed[0],
          ],
          pagination: { count: 2, next: null, prev: null },
        },
      });
      await expect(provider.find(source, { signal })).resolves.toMatchObject({
        deploymentId: listed[0].uid,
      });
    });

    it('reads on through the pages until it finds the deployment', async () => {
      const first = await provider.create(source, { signal });
      for (let i = 0; i < 150; i++) {
        await provider.create({ ...source, prNumber: 100 + i }, { signal });
      }
      vercel.requests.length = 0;

      await expect(provider.find(source, { signal })).resolves.toMatchObject({
        deploymentId: first.deploymentId,
      });
      const pages = vercel.requests.map(r => r.query.get('until'));
      const oldestOfFirstPage =
        vercel.deployments.get('dpl_00000052abcdef')!.createdAt;
      expect(pages).toEqual([null, String(oldestOfFirstPage)]);
    });

    it('refuses an entity without a project, and has nothing for a fork, without calling Vercel', async () => {
      await expect(
        provider.find({ ...source, annotations: {} }, { signal }),
      ).rejects.toThrow(PreviewProviderPermanentError);
      await expect(
        provider.find({ ...source, fromFork: true }, { signal }),
      ).resolves.toBeUndefined();
      expect(vercel.requests).toEqual([]);
    });

    it('maps failures: 429 rate limited until the reset, 5xx transient, 403 configuration', async () => {
      vercel.answerOnce(
        'GET /v7/deployments',
        rateLimited(20_000),
        vercelError(502, 'bad_gateway'),
        vercelError(403, 'forbidden', 'Not authorized'),
      );
      const limited = await provider.find(source, { signal }).catch(e => e);
      expect(limited).toBeInstanceOf(PreviewProviderRateLimitedError);
      expect(limited.message).toBe(
        'Vercel could not list deployments: HTTP 429 (rate_limited)',
      );
      expect(limited.retryAfterMs).toBeGreaterThan(18_000);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(20_000);

      const outage = await provider.find(source, { signal }).catch(e => e);
      expect(outage).toBeInstanceOf(PreviewProviderTransientError);
      expect(outage.message).toBe(
        'Vercel could not list deployments: HTTP 502 (bad_gateway)',
      );

      const refused = await provider.find(source, { signal }).catch(e => e);
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      // Each failure was one request: the SDK did not retry on its own.
      expect(vercel.requests).toHaveLength(3);
    });
  });

  describe('checkRepository', () => {
    const check = (overrides: Partial<PreviewSource> = {}) =>
      provider
        .checkRepository({ ...source, ...overrides }, { signal })
        .then(() => undefined)
        .catch(e => e);
    const relink = (link: GetProjectLink | null) =>
      vercel.projects.set('prj_storefront', vercelProject({ link }));

    it('passes a project linked to the same GitHub repository, however it is cased', async () => {
      relink(githubLink('Acme/StoreFront'));

      await expect(check({ repository: 'acme/Storefront' })).resolves.toBe(
        undefined,
      );
      expect(vercel.requests).toHaveLength(1);
      const [request] = vercel.requests;
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/v9/projects/prj_storefront');
      expect(Object.fromEntries(request.query)).toEqual({
        teamId: 'team_acme',
      });
      expect(request.headers.authorization).toBe('Bearer vercel-token');
    });

    it('finds the project by name too, and asks without a team when none is configured', async () => {
      const teamless = VercelPreviewProvider.fromConfig(
        new ConfigReader({ token: 'vercel-token', apiBaseUrl: vercel.url }),
      );
      await teamless.checkRepository(
        { ...source, annotations: { 'vercel.com/project-id': 'storefront' } },
        { signal },
      );
      expect(vercel.requests.map(r => `${r.path}?${r.query}`)).toEqual([
        '/v9/projects/storefront?',
      ]);
    });

    it('refuses a project linked to another repository, naming it', async () => {
      relink(githubLink('acme/checkout'));

      const refused = await check();
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel project prj_storefront is linked to GitHub repository acme/checkout, not to GitHub repository acme/storefront',
      );
    });

    it('refuses a project linked to no repository', async () => {
      relink(null);

      const refused = await check();
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel project prj_storefront is not linked to a Git repository; OpsHub builds component:default/storefront only in a project linked to GitHub repository acme/storefront',
      );
    });

    it('refuses a project linked to another Git provider or GitHub host, naming what it is linked to', async () => {
      relink({
        type: 'gitlab',
        projectId: '4821',
        projectName: 'storefront',
        projectNamespace: 'acme',
        projectNameWithNamespace: 'acme/storefront',
        projectUrl: 'https://gitlab.com/acme/storefront',
        productionBranch: 'main',
        gitCredentialId: 'cred_gitlab',
        deployHooks: [],
      });
      expect((await check()).message).toBe(
        'Vercel project prj_storefront is linked to GitLab project acme/storefront, not to GitHub repository acme/storefront',
      );

      relink({
        ...githubLink('acme/storefront'),
        type: 'github-custom-host',
        host: 'github.acme.internal',
      });
      const otherHost = await check();
      expect(otherHost).toBeInstanceOf(PreviewProviderPermanentError);
      expect(otherHost.errorClass).toBe('configuration');
      expect(otherHost.message).toBe(
        'Vercel project prj_storefront is linked to acme/storefront on GitHub host github.acme.internal, not to GitHub repository acme/storefront',
      );
    });

    it('reads the link of a project object the SDK no longer fully describes', async () => {
      // Without a field the SDK requires, and with a link type it does not
      // know: its schema refuses both answers, the link is read anyway.
      const { directoryListing, ...drifted } = vercelProject({
        link: githubLink('acme/checkout'),
      });
      expect(directoryListing).toBe(false);
      vercel.answerOnce(
        'GET /v9/projects/:idOrName',
        { body: drifted },
        {
          body: {
            ...vercelProject(),
            link: { type: 'azure-devops', org: 'acme', repo: 'storefront' },
          },
        },
      );

      expect((await check()).message).toBe(
        'Vercel project prj_storefront is linked to GitHub repository acme/checkout, not to GitHub repository acme/storefront',
      );
      const unknownType = await check();
      expect(unknownType).toBeInstanceOf(PreviewProviderPermanentError);
      expect(unknownType.errorClass).toBe('configuration');
      expect(unknownType.message).toBe(
        'Vercel project prj_storefront is linked to azure-devops repository acme/storefront, not to GitHub repository acme/storefront',
      );
    });

    it('refuses a project Vercel does not have as configuration', async () => {
      const refused = await check({
        annotations: { 'vercel.com/project-id': 'prj_gone' },
      });
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel has no project prj_gone in team team_acme (the vercel.com/project-id annotation of component:default/storefront)',
      );
      expect(vercel.requests.map(r => r.path)).toEqual([
        '/v9/projects/prj_gone',
      ]);
    });

    it('refuses an entity without a project without calling Vercel', async () => {
      const refused = await check({ annotations: {} });
      expect(refused).toEqual(
        new PreviewProviderPermanentError(
          'component:default/storefront has no vercel.com/project-id annotation',
        ),
      );
      expect(vercel.requests).toEqual([]);
    });

    it('maps failures: 5xx and no answer transient, 429 rate limited, 403 configuration', async () => {
      vercel.answerOnce(
        'GET /v9/projects/:idOrName',
        vercelError(502, 'bad_gateway'),
        { delayMs: 3_000, body: {} },
        rateLimited(20_000),
        vercelError(403, 'forbidden', 'Not authorized'),
      );
      const outage = await check();
      expect(outage).toBeInstanceOf(PreviewProviderTransientError);
      expect(outage.message).toBe(
        'Vercel could not read a project: HTTP 502 (bad_gateway)',
      );
      const slow = await check();
      expect(slow).toBeInstanceOf(PreviewProviderTransientError);
      expect(slow.message).toBe(
        'Vercel could not read a project: no answer within 1000 ms',
      );
      const limited = await check();
      expect(limited).toBeInstanceOf(PreviewProviderRateLimitedError);
      expect(limited.retryAfterMs).toBeGreaterThan(18_000);
      const refused = await check();
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel could not read a project: HTTP 403 (forbidden)',
      );
      // One request each: the SDK did not retry on its own.
      expect(vercel.requests).toHaveLength(4);
    });
  });

  it('follows the deployment to READY', async () => {
    const { deploymentId } = await provider.create(source, { signal });
    for (const state of ['QUEUED', 'INITIALIZING', 'BUILDING'] as const) {
      vercel.settle(deploymentId, state);
      await expect(
        provider.status(deploymentOf(deploymentId), { signal }),
      ).resolves.toEqual({ state: 'building' });
    }
    vercel.settle(deploymentId, 'READY');
    await expect(
      provider.status(deploymentOf(deploymentId), { signal }),
    ).resolves.toEqual({
      state: 'ready',
      url: 'https://storefront-00000001-acme.vercel.app',
    });
    const read = vercel.requests.filter(r => r.method === 'GET');
    expect(read.map(r => `${r.path}?${r.query}`)).toEqual(
      Array(4).fill('/v13/deployments/dpl_00000001abcdef?teamId=team_acme'),
    );
  });

  it('reports a build error with its code, and a canceled or blocked deployment', async () => {
    const { deploymentId } = await provider.create(source, { signal });
    vercel.settle(deploymentId, 'ERROR', {
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
    });
    await expect(
      provider.status(deploymentOf(deploymentId), { signal }),
    ).resolves.toEqual({
      state: 'failed',
      errorClass: 'build',
      errorCode: 'BUILD_FAILED',
      message: 'Command "npm run build" exited with 1',
    });
    vercel.settle(deploymentId, 'CANCELED');
    await expect(
      provider.status(deploymentOf(deploymentId), { signal }),
    ).resolves.toMatchObject({
      state: 'failed',
      errorClass: 'cancelled',
      errorCode: 'CANCELED',
    });
    vercel.settle(deploymentId, 'BLOCKED');
    await expect(
      provider.status(deploymentOf(deploymentId), { signal }),
    ).resolves.toMatchObject({
      state: 'failed',
      errorClass: 'configuration',
      errorCode: 'BLOCKED',
    });
  });

  it('reports the class of the error code table for each of its codes, and build for an error code it does not hold', async () => {
    const { deploymentId } = await provider.create(source, { signal });
    const classOf = async (readyState: 'ERROR' | 'CANCELED' | 'BLOCKED') => {
      const status = await provider.status(deploymentOf(deploymentId), {
        signal,
      });
      if (status.state !== 'failed')
        throw new Error(`${readyState} is not failed`);
      return [status.errorCode, status.errorClass];
    };
    vercel.settle(deploymentId, 'ERROR', {
      errorCode: 'BUILD_FAILED',
      errorMessage: 'failed',
    });
    const reported = [await classOf('ERROR')];
    vercel.settle(deploymentId, 'CANCELED');
    reported.push(await classOf('CANCELED'));
    vercel.settle(deploymentId, 'BLOCKED');
    reported.push(await classOf('BLOCKED'));
    expect(Object.fromEntries(reported)).toEqual(VERCEL_ERROR_CODES);

    vercel.settle(deploymentId, 'ERROR', {
      errorCode: 'SOMETHING_NEW',
      errorMessage: 'Vercel failed in a new way',
    });
    await expect(classOf('ERROR')).resolves.toEqual(['SOMETHING_NEW', 'build']);
    vercel.settle(deploymentId, 'ERROR');
    await expect(classOf('ERROR')).resolves.toEqual([undefined, 'build']);
  });

  it('deletes the deployment on teardown, and takes a missing one as gone', async () => {
    const { deploymentId } = await provider.create(source, { signal });
    await provider.destroy(deploymentOf(deploymentId), { signal });
    expect(vercel.deployments.size).toBe(0);
    await provider.destroy(deploymentOf(deploymentId), { signal });
    expect(
      vercel.requests
        .filter(r => r.method === 'DELETE')
        .map(r => `${r.path}?${r.query}`),
    ).toEqual(
      Array(2).fill('/v13/deployments/dpl_00000001abcdef?teamId=team_acme'),
    );
  });

  it('refuses an entity without a project, and a fork, without calling Vercel', async () => {
    const noProject = provider.create(
      { ...source, annotations: {} },
      { signal },
    );
    await expect(noProject).rejects.toThrow(
      new PreviewProviderPermanentError(
        'component:default/storefront has no vercel.com/project-id annotation',
      ),
    );
    const fork = await provider
      .create({ ...source, fromFork: true }, { signal })
      .catch(e => e);
    expect(fork).toBeInstanceOf(PreviewProviderPermanentError);
    expect(fork.errorClass).toBe('configuration');
    expect(vercel.requests).toEqual([]);
  });

  it('waits out a 429 until its reset, then succeeds', async () => {
    vercel.answerOnce('POST /v13/deployments', rateLimited(20_000));
    const limited = await provider.create(source, { signal }).catch(e => e);
    expect(limited).toBeInstanceOf(PreviewProviderRateLimitedError);
    expect(limited.message).toBe(
      'Vercel could not create a deployment: HTTP 429 (rate_limited)',
    );
    expect(limited.retryAfterMs).toBeGreaterThan(18_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(20_000);
    // The SDK did not retry on its own: the queue does, after the reset.
    expect(vercel.requests).toHaveLength(1);

    await expect(provider.create(source, { signal })).resolves.toMatchObject({
      deploymentId: 'dpl_00000001abcdef',
    });
  });

  it('takes 5xx and a slow answer as transient, and never retries inside the call', async () => {
    vercel.answerOnce(
      'GET /v13/deployments/:id',
      vercelError(500, 'internal_server_error'),
      vercelError(503, 'service_unavailable'),
      { delayMs: 3_000, body: {} },
    );
    const status = () =>
      provider.status(deploymentOf('dpl_1'), { signal }).catch(e => e);
    const first = await status();
    expect(first).toBeInstanceOf(PreviewProviderTransientError);
    expect(first.message).toBe(
      'Vercel could not read a deployment: HTTP 500 (internal_server_error)',
    );
    expect(await status()).toBeInstanceOf(PreviewProviderTransientError);
    const slow = await status();
    expect(slow).toBeInstanceOf(PreviewProviderTransientError);
    expect(slow.message).toBe(
      'Vercel could not read a deployment: no answer within 1000 ms',
    );
    expect(vercel.requests).toHaveLength(3);
  });

  it('takes a refused token as configuration, and keeps it out of the error', async () => {
    vercel.answerOnce(
      'POST /v13/deployments',
      vercelError(403, 'forbidden', 'Not authorized'),
    );
    const error = await provider.create(source, { signal }).catch(e => e);
    expect(error).toBeInstanceOf(PreviewProviderPermanentError);
    expect(error.errorClass).toBe('configuration');
    expect(error.message).toBe(
      'Vercel could not create a deployment: HTTP 403 (forbidden)',
    );
    expect(JSON.stringify(error)).not.toContain('vercel-token');
  });

  describe('syncEnvironment', () => {
    const API_URL = 'https://api.staging.acme.example';
    const SECRET = 'sk_live_9f8e7d6c5b4a3210';
    const variables: PreviewVariable[] = [
      { name: 'API_URL', value: API_URL, sensitive: false },
      { name: 'STRIPE_KEY', value: SECRET, sensitive: true },
    ];
    const sync = (vars: PreviewVariable[], pushed: PushedVariable[]) =>
      provider.syncEnvironment(source, vars, pushed, { signal });
    const lines = () =>
      vercel.requests.map(r => `${r.method} ${r.path}?${r.query}`);
    const LIST = `GET /v10/projects/prj_storefront/env?decrypt=false&gitBranch=feature%2Fsearch&teamId=team_acme`;
    const COMMENT = 'Managed by OpsHub for component:default/storefront#7';
    const POST = `POST /v10/projects/prj_storefront/env?teamId=team_acme&upsert=true`;
    const DELETE = (id: string) =>
      `DELETE /v9/projects/prj_storefront/env/${id}?teamId=team_acme`;
    const bodyOf = (vars: PreviewVariable[]) =>
      vars.map(v => ({
        key: v.name,
        value: v.value,
        type: v.sensitive ? 'sensitive' : 'encrypted',
        target: ['preview'],
        gitBranch: 'feature/search',
        comment: COMMENT,
      }));
    // What others created in the project: the same keys for all previews,
    // for another branch and for production, and another key of the branch.
    const others = [
      othersEnv({ id: 'env_all_previews', key: 'API_URL' }),
      othersEnv({ id: 'env_other_branch', key: 'API_URL', gitBranch: 'main' }),
      othersEnv({
        id: 'env_production',
        key: 'STRIPE_KEY',
        target: ['production'],
        type: 'sensitive',
      }),
      othersEnv({
        id: 'env_same_branch',
        key: 'FEATURE_FLAGS',
        gitBranch: 'feature/search',
      }),
    ];
    beforeEach(() => {
      for (const env of others) vercel.envs.set(env.id, { ...env });
    });
    const expectOthersUntouched = () => {
      for (const env of others) expect(vercel.envs.get(env.id)).toEqual(env);
    };
    const opshubs = () =>
      [...vercel.envs.values()].filter(e => e.createdBy === 'usr_opshub');

    it("creates the branch's preview variables in one upsert and answers their ids", async () => {
      const pushed = await sync(variables, []);

      expect(pushed).toEqual([
        { name: 'API_URL', providerId: 'env_0001opshub' },
        { name: 'STRIPE_KEY', providerId: 'env_0002opshub' },
      ]);
      expect(lines()).toEqual([LIST, POST]);
      const [, request] = vercel.requests;
      expect(request.headers.authorization).toBe('Bearer vercel-token');
      expect(request.body).toEqual(bodyOf(variables));
      expect(opshubs()).toEqual([
        expect.objectContaining({
          id: 'env_0001opshub',
          key: 'API_URL',
          value: API_URL,
          type: 'encrypted',
          target: ['preview'],
          gitBranch: 'feature/search',
          comment: COMMENT,
        }),
        expect.objectContaining({
          id: 'env_0002opshub',
          key: 'STRIPE_KEY',
          value: SECRET,
          type: 'sensitive',
          target: ['preview'],
          gitBranch: 'feature/search',
          comment: COMMENT,
        }),
      ]);
      expectOthersUntouched();
    });

    it('updates a changed value in place (same id), also when the earlier answer was lost', async () => {
      const first = await sync(variables, []);
      vercel.requests.length = 0;
      const changed = [
        { ...variables[0], value: 'https://api.next.acme.example' },
        variables[1],
      ];

      await expect(sync(changed, first)).resolves.toEqual(first);
      expect(lines()).toEqual([POST]);
      expect(vercel.requests[0].body).toEqual(bodyOf(changed));
      expect(vercel.envs.get('env_0001opshub')?.value).toBe(
        'https://api.next.acme.example',
      );
      // A retry that never recorded the first answer: OpsHub's comment
      // marks them as its own, so upsert, same ids.
      vercel.requests.length = 0;
      await expect(sync(changed, [])).resolves.toEqual(first);
      expect(lines()).toEqual([LIST, POST]);
      expect(opshubs()).toHaveLength(2);
      expectOthersUntouched();
    });

    it('removes exactly the recorded id of a variable dropped in OpsHub', async () => {
      const first = await sync(variables, []);
      vercel.requests.length = 0;

      await expect(sync([variables[0]], first)).resolves.toEqual([first[0]]);
      expect(lines()).toEqual([POST, DELETE('env_0002opshub')]);
      expect(vercel.requests[0].body).toEqual(bodyOf([variables[0]]));
      expect(opshubs().map(e => e.id)).toEqual(['env_0001opshub']);
      expectOthersUntouched();
    });

    it('removes every recorded variable at teardown, and takes one already gone as removed', async () => {
      const first = await sync(variables, []);
      vercel.requests.length = 0;

      await expect(sync([], first)).resolves.toEqual([]);
      expect(lines()).toEqual([
        DELETE('env_0001opshub'),
        DELETE('env_0002opshub'),
      ]);
      expect(opshubs()).toEqual([]);
      // Run again (jobs run at least once): 404s, and done.
      await expect(sync([], first)).resolves.toEqual([]);
      expect(lines()).toHaveLength(4);
      expectOthersUntouched();
      expect(vercel.envs.size).toBe(others.length);
    });

    it('removes only ids it recorded, never by key', async () => {
      await sync([], [{ name: 'API_URL', providerId: 'env_0009opshub' }]);
      expect(lines()).toEqual([DELETE('env_0009opshub')]);
      expectOthersUntouched();
    });

    it('refuses a variable Vercel fails as configuration, naming it but never a value, and leaves nothing unrecorded', async () => {
      const first = await sync([variables[0]], []);
      vercel.requests.length = 0;
      vercel.refuseEnv.set('STRIPE_KEY', {
        code: 'ENV_CONFLICT',
        message: `The value ${SECRET} conflicts with a shared variable`,
      });
      const more = [
        ...variables,
        {
          name: 'SENTRY_DSN',
          value: 'https://abc@sentry.example/1',
          sensitive: true,
        },
      ];

      const refused = await sync(more, first).catch(e => e);
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel refused preview environment variables of branch feature/search in project prj_storefront: STRIPE_KEY (ENV_CONFLICT: The value [redacted] conflicts with a shared variable)',
      );
      for (const v of more) {
        expect(
          JSON.stringify({ ...refused, message: refused.message }),
        ).not.toContain(v.value);
      }
      // SENTRY_DSN was created by this call: removed again; API_URL,
      // recorded before, stays.
      expect(lines()).toEqual([LIST, POST, DELETE('env_0002opshub')]);
      expect(opshubs().map(e => e.key)).toEqual(['API_URL']);
      expectOthersUntouched();
    });

    it('refuses a key someone else created for the branch, naming it and the branch, and writes nothing', async () => {
      const handMade = othersEnv({
        id: 'env_hand_made',
        key: 'STRIPE_KEY',
        value: 'sk_live_hand_made_0000',
        type: 'sensitive',
        gitBranch: 'feature/search',
        comment: 'Set by hand for the search demo',
      });
      vercel.envs.set(handMade.id, { ...handMade });

      const refused = await sync(variables, []).catch(e => e);
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        "Vercel project prj_storefront already has preview environment variable STRIPE_KEY for branch feature/search, not created by OpsHub: OpsHub does not change or remove it; remove it at Vercel to let OpsHub manage it, or drop it from the preview's variables",
      );
      for (const value of [API_URL, SECRET, handMade.value]) {
        expect(
          JSON.stringify({ ...refused, message: refused.message }),
        ).not.toContain(value);
      }
      // Only the listing: no upsert, no DELETE.
      expect(lines()).toEqual([LIST]);
      expect(vercel.envs.get('env_hand_made')).toEqual(handMade);
      expect(opshubs()).toEqual([]);
      expectOthersUntouched();

      // Also when OpsHub already pushed other keys, and at teardown the
      // hand-made variable is still never removed.
      const first = await sync([variables[0]], []);
      vercel.requests.length = 0;
      await expect(sync(variables, first)).rejects.toThrow(
        'already has preview environment variable STRIPE_KEY for branch feature/search',
      );
      expect(lines()).toEqual([LIST]);
      await expect(sync([], first)).resolves.toEqual([]);
      expect(lines()).toEqual([LIST, DELETE(first[0].providerId)]);
      expect(vercel.envs.get('env_hand_made')).toEqual(handMade);
      expectOthersUntouched();
    });

    it("refuses another entity's or PR's variable of the key too, but not one for all branches or another branch", async () => {
      const otherPr = othersEnv({
        id: 'env_other_pr',
        key: 'STRIPE_KEY',
        gitBranch: 'feature/search',
        createdBy: 'usr_opshub',
        comment: 'Managed by OpsHub for component:default/storefront#8',
      });
      vercel.envs.set(otherPr.id, { ...otherPr });

      await expect(sync(variables, [])).rejects.toThrow(
        'already has preview environment variable STRIPE_KEY for branch feature/search, not created by OpsHub',
      );
      expect(lines()).toEqual([LIST]);
      expect(vercel.envs.get('env_other_pr')).toEqual(otherPr);

      // API_URL exists for all previews and for main: not this branch's.
      vercel.envs.delete(otherPr.id);
      vercel.requests.length = 0;
      await expect(sync([variables[0]], [])).resolves.toEqual([
        { name: 'API_URL', providerId: 'env_0001opshub' },
      ]);
      expect(lines()).toEqual([LIST, POST]);
      expectOthersUntouched();
    });

    it('adopts its own variable of a push whose answer was lost, by its comment', async () => {
      const lost = othersEnv({
        id: 'env_lost_answer',
        key: 'STRIPE_KEY',
        value: 'sk_live_previous_value',
        type: 'sensitive',
        gitBranch: 'feature/search',
        createdBy: 'usr_opshub',
        comment: COMMENT,
      });
      vercel.envs.set(lost.id, { ...lost });

      await expect(sync(variables, [])).resolves.toEqual([
        { name: 'API_URL', providerId: 'env_0001opshub' },
        { name: 'STRIPE_KEY', providerId: 'env_lost_answer' },
      ]);
      expect(lines()).toEqual([LIST, POST]);
      expect(vercel.requests[1].body).toEqual(bodyOf(variables));
      expect(vercel.envs.get('env_lost_answer')).toEqual(
        expect.objectContaining({ value: SECRET, comment: COMMENT }),
      );
      expectOthersUntouched();
    });

    it('lists nothing when every key was recorded before', async () => {
      const first = await sync(variables, []);
      vercel.requests.length = 0;
      await expect(sync(variables, first)).resolves.toEqual(first);
      expect(lines()).toEqual([POST]);
    });

    it('takes 5xx and a slow answer as transient, with no value in the error', async () => {
      vercel.answerOnce(
        'POST /v10/projects/:idOrName/env',
        vercelError(502, 'bad_gateway'),
        { delayMs: 3_000, body: {} },
      );
      const outage = await sync(variables, []).catch(e => e);
      expect(outage).toBeInstanceOf(PreviewProviderTransientError);
      expect(outage.message).toBe(
        'Vercel could not set preview environment variables: HTTP 502 (bad_gateway)',
      );
      const slow = await sync(variables, []).catch(e => e);
      expect(slow).toBeInstanceOf(PreviewProviderTransientError);
      expect(slow.message).toBe(
        'Vercel could not set preview environment variables: no answer within 1000 ms',
      );

      const pushed = await sync(variables, []);
      vercel.answerOnce(
        'DELETE /v9/projects/:idOrName/env/:id',
        vercelError(503, 'service_unavailable'),
      );
      const removal = await sync([], pushed).catch(e => e);
      expect(removal).toBeInstanceOf(PreviewProviderTransientError);
      expect(removal.message).toBe(
        'Vercel could not remove environment variable API_URL: HTTP 503 (service_unavailable)',
      );
      for (const error of [outage, slow, removal]) {
        expect(error.message).not.toContain(SECRET);
        expect(error.message).not.toContain(API_URL);
      }
      // One request each: the SDK did not retry on its own.
      expect(lines()).toEqual([
        LIST,
        POST,
        LIST,
        POST,
        LIST,
        POST,
        DELETE('env_0001opshub'),
      ]);
    });

    it('takes a refused token as configuration', async () => {
      vercel.answerOnce(
        'POST /v10/projects/:idOrName/env',
        vercelError(403, 'forbidden', 'Not authorized'),
      );
      const refused = await sync(variables, []).catch(e => e);
      expect(refused).toBeInstanceOf(PreviewProviderPermanentError);
      expect(refused.errorClass).toBe('configuration');
      expect(refused.message).toBe(
        'Vercel could not set preview environment variables: HTTP 403 (forbidden)',
      );
    });

    it("pushes nothing for a fork's PR, and refuses an entity without a project, without calling Vercel", async () => {
      await expect(
        provider.syncEnvironment({ ...source, fromFork: true }, variables, [], {
          signal,
        }),
      ).resolves.toEqual([]);
      await expect(
        provider.syncEnvironment(
          { ...source, annotations: {} },
          variables,
          [],
          {
            signal,
          },
        ),
      ).rejects.toThrow(PreviewProviderPermanentError);
      expect(vercel.requests).toEqual([]);
    });
  });
});
