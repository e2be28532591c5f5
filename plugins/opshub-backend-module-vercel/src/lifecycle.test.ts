// A module's test may start the plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import opshubPlugin from '@opshub/plugin-opshub-backend';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  type PreviewTestBackend,
  startPreviewTestBackend,
} from '@opshub/plugin-opshub-node/testUtils';
import {
  othersEnv,
  githubLink,
  rateLimited,
  startFakeVercel,
  vercelError,
  vercelProject,
} from './__fixtures__/fakeVercel';
import vercelModule from './index';

jest.setTimeout(60_000);

describe('Vercel previews through the OpsHub lifecycle', () => {
  let vercel: Awaited<ReturnType<typeof startFakeVercel>>;
  let backend: PreviewTestBackend;
  beforeEach(async () => {
    vercel = await startFakeVercel();
    backend = await startPreviewTestBackend({
      opshubPlugin,
      features: [vercelModule],
      annotations: {
        'opshub.dev/preview-provider': 'vercel',
        'vercel.com/project-id': 'prj_storefront',
      },
      opshubConfig: {
        providers: {
          vercel: {
            token: 'vercel-token',
            apiBaseUrl: vercel.url,
            // Short, so a lost answer (below) times out quickly.
            timeout: { seconds: 1 },
          },
        },
        encryption: {
          keys: [{ id: 'k1', secret: Buffer.alloc(32, 3).toString('base64') }],
        },
      },
    });
  });
  afterEach(async () => {
    await backend.stop();
    await vercel.close();
  });

  const pr = { number: 7, headSha: 'a'.repeat(40), branch: 'search' };

  /** Sets a variable through the env-var route (once the project is tracked). */
  async function putVariable(
    base: string,
    path: string,
    body: { value: string; sensitive?: boolean },
  ) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await fetch(
        `${base}/api/opshub/entities/component/default/storefront/envvars/${path}`,
        {
          method: 'PUT',
          headers: {
            'content-type': 'application/json',
            authorization: mockCredentials.user.header('user:default/admin'),
          },
          body: JSON.stringify(body),
        },
      );
      await response.arrayBuffer();
      if (response.ok) return;
      if (Date.now() > deadline) {
        throw new Error(`PUT ${path}: ${response.status}`);
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  it("pushes the PR branch's preview variables before the deployment is created, and removes them when the PR closes", async () => {
    const base = backend.url;
    await putVariable(base, 'preview/API_URL', {
      value: 'https://api.base.test',
    });
    await putVariable(base, 'preview/API_URL?branch=search', {
      value: 'https://api.search.test',
    });
    await putVariable(base, 'preview/TOKEN', {
      value: 'lifecycle-token-value',
      sensitive: true,
    });
    await putVariable(base, 'production/PROD_ONLY', {
      value: 'production-only-value',
    });
    // Someone else's variable of the same branch: never touched.
    vercel.envs.set(
      'env_theirs',
      othersEnv({
        id: 'env_theirs',
        key: 'THEIRS',
        gitBranch: 'search',
      }),
    );

    const building = await backend.waitForPreview(
      pr,
      p => p.state === 'building',
    );
    const calls = vercel.requests.map(r => `${r.method} ${r.path}`);
    const push = calls.findIndex(c =>
      /^POST \/v10\/projects\/[^/]+\/env$/.test(c),
    );
    expect(push).toBeGreaterThanOrEqual(0);
    expect(push).toBeLessThan(calls.indexOf('POST /v13/deployments'));
    const ours = () =>
      [...vercel.envs.values()]
        .filter(e => e.key !== 'THEIRS')
        .map(e => ({
          key: e.key,
          value: e.value,
          type: e.type,
          target: e.target,
          gitBranch: e.gitBranch,
        }))
        .sort((a, b) => a.key.localeCompare(b.key));
    expect(ours()).toEqual([
      {
        key: 'API_URL',
        value: 'https://api.search.test',
        type: 'encrypted',
        target: ['preview'],
        gitBranch: 'search',
      },
      {
        key: 'TOKEN',
        value: 'lifecycle-token-value',
        type: 'sensitive',
        target: ['preview'],
        gitBranch: 'search',
      },
    ]);
    expect(building).toMatchObject({ envVarCount: 2 });

    expect(await backend.deliver({ ...pr, action: 'closed' })).toBe(202);
    await backend.waitForPreview(pr, p => p.state === 'destroyed');
    expect(ours()).toEqual([]);
    expect([...vercel.envs.keys()]).toEqual(['env_theirs']);
  });

  it('builds a PR to a ready preview at its Vercel URL, and deletes it when the PR closes', async () => {
    await backend.waitForPreview(pr, p => p.state === 'building');
    const [id] = vercel.deployments.keys();
    vercel.settle(id, 'READY');
    const ready = await backend.waitForPreview(pr, p => p.state === 'ready');
    expect(ready.url).toBe('https://storefront-00000001-acme.vercel.app');

    expect(await backend.deliver({ ...pr, action: 'closed' })).toBe(202);
    await backend.waitForPreview(pr, p => p.state === 'destroyed');
    expect(vercel.deployments.size).toBe(0);
  });

  it('records a build error with its code', async () => {
    await backend.waitForPreview(pr, p => p.state === 'building');
    const [id] = vercel.deployments.keys();
    vercel.settle(id, 'ERROR', {
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
    });
    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');
    expect(failed).toMatchObject({
      errorClass: 'build',
      errorMessage: 'Command "npm run build" exited with 1',
    });
  });

  it('retries after a 429 once its reset has passed, then builds', async () => {
    vercel.answerOnce('POST /v13/deployments', rateLimited(300));
    await backend.waitForPreview(pr, p => p.state === 'building');
    const creates = vercel.requests.filter(r => r.method === 'POST');
    expect(creates).toHaveLength(2);
    expect(await backend.jobs('create-preview')).toEqual([
      expect.objectContaining({ state: 'succeeded', attempts: 2 }),
    ]);
  });

  it('adopts the deployment whose answer was lost instead of creating another', async () => {
    vercel.lostCreateAnswers = 1;
    await backend.waitForPreview(pr, p => p.state === 'building');
    // One deployment at Vercel, found by its meta and sha on the retry.
    expect(vercel.deployments.size).toBe(1);
    // (The project's repository check, when OpsHub asks for it, comes
    // before these.)
    expect(
      vercel.requests
        .filter(r => r.path.includes('/deployments'))
        .map(r => `${r.method} ${r.path}`)
        .slice(0, 2),
    ).toEqual(['POST /v13/deployments', 'GET /v7/deployments']);
    expect(vercel.requests.filter(r => r.method === 'POST')).toHaveLength(1);
    expect(await backend.jobs('create-preview')).toEqual([
      expect.objectContaining({ state: 'succeeded', attempts: 2 }),
    ]);
  });

  it("refuses to build in a project linked to another team's repository", async () => {
    vercel.projects.set(
      'prj_storefront',
      vercelProject({ link: githubLink('other-team/checkout') }),
    );
    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');
    expect(failed).toMatchObject({ errorClass: 'configuration' });
    expect(failed.errorMessage).toContain('other-team/checkout');
    // Nothing was built there.
    expect(vercel.requests.filter(r => r.method === 'POST')).toEqual([]);
  });

  it('fails the preview as a provider outage when Vercel answers 5xx until the job is dead', async () => {
    vercel.route('POST /v13/deployments', () =>
      vercelError(503, 'service_unavailable'),
    );
    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');
    expect(failed).toMatchObject({
      errorClass: 'provider-outage',
      errorMessage:
        'Vercel could not create a deployment: HTTP 503 (service_unavailable)',
    });
    const [job] = await backend.jobs('create-preview');
    expect(job).toMatchObject({ state: 'dead' });
    expect(vercel.requests.filter(r => r.method === 'POST')).toHaveLength(
      job.attempts,
    );
    expect(job.attempts).toBeGreaterThan(1);
  });
});
