import { ConfigReader } from '@backstage/config';
import {
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  PreviewProviderTransientError,
  type PreviewSource,
} from '@opshub/plugin-opshub-node';
import {
  rateLimited,
  startFakeVercel,
  vercelError,
} from './__fixtures__/fakeVercel';
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
        githubPrId: '7',
      },
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
    ).resolves.toMatchObject({ state: 'failed', errorClass: 'cancelled' });
    vercel.settle(deploymentId, 'BLOCKED');
    await expect(
      provider.status(deploymentOf(deploymentId), { signal }),
    ).resolves.toMatchObject({ state: 'failed', errorClass: 'configuration' });
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
});
