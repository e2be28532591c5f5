// A module's test may start the plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import opshubPlugin from '@opshub/plugin-opshub-backend';
import {
  type FakeProviderApi,
  type PreviewTestBackend,
  startFakeProviderApi,
  startPreviewTestBackend,
} from '@opshub/plugin-opshub-node/testUtils';
import {
  buildObject,
  DEPLOY_ID,
  deployObject,
  githubRepo,
  SITE_ID,
  siteDeploysPage,
  siteObject,
} from './__fixtures__/netlifyObjects';
import netlifyModule from './index';

jest.setTimeout(60_000);

const DEPLOY = 'GET /api/v1/deploys/:deploy_id';
const BUILDS = 'POST /api/v1/sites/:site_id/builds';
const DEPLOYS = 'GET /api/v1/sites/:site_id/deploys';
const SHA = 'a'.repeat(40);

describe('Netlify previews through the OpsHub lifecycle', () => {
  let netlify: FakeProviderApi;
  let backend: PreviewTestBackend;
  let deployState: Record<string, unknown>;
  /** The branch Netlify was asked to build, once it was. */
  let built: string | undefined;
  beforeEach(async () => {
    netlify = await startFakeProviderApi();
    deployState = { state: 'building' };
    // Linked to the test entity's repository, as `checkRepository` and
    // `create` want it.
    netlify.route('GET /api/v1/sites/:site_id', () => ({
      body: siteObject({}, githubRepo('acme/storefront')),
    }));
    built = undefined;
    netlify.route(BUILDS, ({ query }) => {
      built = query.get('branch') ?? undefined;
      return { body: buildObject() };
    });
    netlify.route(DEPLOY, () => ({ body: deployObject(deployState) }));
    // The deploy of the build, for a retry that looks for it first.
    netlify.route(DEPLOYS, ({ query }) => ({
      body: siteDeploysPage(
        built
          ? [deployObject({ ...deployState, branch: built, commit_ref: SHA })]
          : [],
        query,
      ),
    }));
    netlify.route('DELETE /api/v1/deploys/:deploy_id', () => ({
      status: 204,
    }));
    backend = await startPreviewTestBackend({
      opshubPlugin,
      features: [netlifyModule],
      annotations: {
        'opshub.dev/preview-provider': 'netlify',
        'netlify.com/site-id': SITE_ID,
      },
      opshubConfig: {
        providers: {
          netlify: { token: 'nfp_token', apiBaseUrl: `${netlify.url}/api/v1` },
        },
      },
    });
  });
  afterEach(async () => {
    await backend.stop();
    await netlify.close();
  });

  const pr = { number: 7, headSha: SHA, branch: 'search' };
  const lines = () => netlify.requests.map(r => `${r.method} ${r.path}`);

  it('builds a PR branch to a ready preview, and deletes its deploy when the PR closes', async () => {
    await backend.waitForPreview(pr, p => p.state === 'building');
    deployState = { state: 'ready' };
    const ready = await backend.waitForPreview(pr, p => p.state === 'ready');
    expect(ready.url).toBe(deployObject({ state: 'ready' }).deploy_ssl_url);
    expect(
      netlify.requests.find(r => r.method === 'POST')!.query.get('branch'),
    ).toBe('search');

    expect(await backend.deliver({ ...pr, action: 'closed' })).toBe(202);
    await backend.waitForPreview(pr, p => p.state === 'destroyed');
    expect(lines()).toContain(`DELETE /api/v1/deploys/${DEPLOY_ID}`);
  });

  it("records a build error with Netlify's message", async () => {
    deployState = {
      state: 'error',
      error_message: 'Build script returned non-zero exit code: 2',
    };
    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');
    expect(failed).toMatchObject({
      errorClass: 'build',
      errorMessage: 'Build script returned non-zero exit code: 2',
    });
  });

  it('fails the preview as a provider outage when Netlify answers 5xx until the job is dead', async () => {
    netlify.route(BUILDS, () => ({
      status: 502,
      body: { code: 502, message: 'Bad Gateway' },
    }));
    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');
    expect(failed.errorClass).toBe('provider-outage');
    expect(failed.errorMessage).toMatch(
      /^Netlify could not start a build .*: HTTP 502/,
    );
    const [job] = await backend.jobs('create-preview');
    expect(job).toMatchObject({ state: 'dead' });
    expect(job.attempts).toBeGreaterThan(1);
    expect(lines().filter(l => l.startsWith('POST'))).toHaveLength(
      job.attempts,
    );
  });
});
