import type { FakeProviderApi } from '@opshub/plugin-opshub-node/testUtils';
import {
  startOpsHubActionTestKit,
  taskContext,
} from '../../__testUtils__/opsHubActionTestKit';
import { createCatalogAnnotateAction } from './createCatalogAnnotateAction';
import { startFakeCatalogRepository } from './__testUtils__/fakeCatalogRepository';

const CATALOG = `# The shop
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront
  annotations:
    github.com/project-slug: acme/storefront
spec:
  type: service
`;
const ANNOTATED = `# The shop
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: storefront
  annotations:
    github.com/project-slug: acme/storefront
    opshub.dev/preview-provider: vercel
    slack.com/bot-notify: shop-previews
    vercel.com/project-id: prj_shop
spec:
  type: service
`;
const INPUT = {
  entityRef: 'component:default/storefront',
  repository: 'acme/storefront',
  filePath: 'catalog-info.yaml',
  provider: 'vercel',
  providerProjectId: 'prj_shop',
  slackChannel: 'shop-previews',
};

describe('opshub:catalog:annotate', () => {
  let github: FakeProviderApi;
  let files: Record<string, Record<string, string>>;
  let kit: Awaited<ReturnType<typeof startOpsHubActionTestKit>>;
  afterEach(() => Promise.all([github.close(), kit.opshub.close()]));

  async function setup() {
    files = { main: { 'catalog-info.yaml': CATALOG } };
    github = await startFakeCatalogRepository(files);
    kit = await startOpsHubActionTestKit({
      integrations: {
        github: [
          { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_test' },
        ],
      },
    });
    return { action: createCatalogAnnotateAction(kit.deps), kit };
  }

  /** The last step's logs and outputs. */
  let written: () => string;
  function context(input: object = INPUT, options = {}) {
    const task = taskContext(input, options);
    written = task.written;
    return task.ctx;
  }

  const calls = () =>
    github.requests.map(
      r => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`,
    );
  const writes = () => github.requests.filter(r => r.method !== 'GET');

  it('reads catalog-info.yaml when the task gives no filePath', async () => {
    // The scaffolder validates input against the schema without applying
    // its defaults: the action applies its own.
    const { action } = await setup();
    const { filePath: _unset, ...input } = INPUT;
    await action.handler(context(input));
    expect(calls()).toContain(
      'PUT /repos/acme/storefront/contents/catalog-info.yaml',
    );
  });

  it('branches, commits the annotated file and opens a pull request', async () => {
    const { action } = await setup();
    const ctx = context();
    await action.handler(ctx);

    expect(calls()).toEqual([
      'GET /repos/acme/storefront',
      'GET /repos/acme/storefront/contents/catalog-info.yaml?ref=main',
      'GET /repos/acme/storefront/git/ref/heads%2Fmain',
      'POST /repos/acme/storefront/git/refs',
      'GET /repos/acme/storefront/contents/catalog-info.yaml?ref=opshub%2Fonboard-storefront',
      'PUT /repos/acme/storefront/contents/catalog-info.yaml',
      'GET /repos/acme/storefront/pulls?head=acme%3Aopshub%2Fonboard-storefront&base=main&state=open',
      'POST /repos/acme/storefront/pulls',
    ]);
    const [createRef, putFile, createPull] = writes().map(r => r.body as any);
    expect(createRef).toEqual({
      ref: 'refs/heads/opshub/onboard-storefront',
      sha: 'base-sha',
    });
    expect(putFile).toEqual({
      branch: 'opshub/onboard-storefront',
      sha: expect.stringMatching(/^sha-of-/),
      message: "Add OpsHub's annotations to storefront",
      content: expect.any(String),
    });
    expect(Buffer.from(putFile.content, 'base64').toString('utf8')).toBe(
      ANNOTATED,
    );
    expect(createPull).toEqual({
      base: 'main',
      head: 'opshub/onboard-storefront',
      title: 'Connect storefront to OpsHub',
      body: [
        "Sets OpsHub's annotations in `catalog-info.yaml`:",
        '',
        '- `github.com/project-slug`: `acme/storefront`',
        '- `opshub.dev/preview-provider`: `vercel`',
        '- `slack.com/bot-notify`: `shop-previews`',
        '- `vercel.com/project-id`: `prj_shop`',
      ].join('\n'),
    });
    expect(github.requests[0].headers.authorization).toBe('token ghp_test');
    expect(ctx.output.mock.calls).toEqual([
      ['changed', true],
      ['pullRequestUrl', 'https://github.com/acme/storefront/pull/12'],
      ['pullRequestNumber', 12],
    ]);
  });

  it('opens nothing when the file already has the annotations', async () => {
    const { action } = await setup();
    files.main['catalog-info.yaml'] = ANNOTATED;
    const ctx = context({ ...INPUT, branch: 'main' });
    await action.handler(ctx);

    expect(calls()).toEqual([
      'GET /repos/acme/storefront/contents/catalog-info.yaml?ref=main',
    ]);
    expect(ctx.output.mock.calls).toEqual([['changed', false]]);
  });

  it('repeats no write when the task is retried', async () => {
    const { action } = await setup();
    github.answerOnce('POST /repos/:owner/:repo/pulls', {
      status: 502,
      body: { message: 'Server Error' },
    });
    const ctx = context();
    await expect(action.handler(ctx)).rejects.toThrow('Server Error');
    github.requests.splice(0);

    await action.handler(ctx);
    expect(writes().map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/storefront/pulls',
    ]);
    github.requests.splice(0);

    await action.handler(ctx);
    expect(writes()).toEqual([]);
    expect(ctx.output).toHaveBeenLastCalledWith('pullRequestNumber', 12);
  });

  it('reuses the branch and the open pull request a new task finds', async () => {
    const { action } = await setup();
    files['opshub/onboard-storefront'] = { 'catalog-info.yaml': ANNOTATED };
    github.route('GET /repos/:owner/:repo/pulls', () => ({
      body: [
        { number: 9, html_url: 'https://github.com/acme/storefront/pull/9' },
      ],
    }));
    const ctx = context();
    await action.handler(ctx);

    expect(writes().map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/storefront/git/refs',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('pullRequestNumber', 9);
  });

  it('calls nothing in a dry run', async () => {
    const { action } = await setup();
    await action.handler(context(INPUT, { isDryRun: true }));

    expect(calls()).toEqual([]);
    expect(kit.permissions.authorize).toHaveBeenCalledTimes(1);
    expect(written()).toContain(
      'Dry run: would open a pull request on acme/storefront',
    );
  });

  it("fails the step with GitHub's message when the file is missing", async () => {
    const { action } = await setup();
    await expect(
      action.handler(context({ ...INPUT, filePath: 'missing.yaml' })),
    ).rejects.toThrow('Not Found');
    expect(writes()).toEqual([]);
  });

  it('refuses an initiator without opshub.project.settings before calling GitHub', async () => {
    const { action } = await setup();
    kit.deny('opshub.project.settings');
    await expect(action.handler(context())).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('opshub.project.settings'),
    });
    expect(kit.permissions.authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'opshub.project.settings',
          }),
          resourceRef: 'component:default/storefront',
        },
      ],
      expect.anything(),
    );
    expect(calls()).toEqual([]);
  });

  it('refuses a provider project id without a provider that has one', async () => {
    const { action } = await setup();
    await expect(
      action.handler(context({ ...INPUT, provider: 'mock' })),
    ).rejects.toThrow('providerProjectId needs provider vercel');
    expect(calls()).toEqual([]);
  });
});
