import {
  PreviewProviderPermanentError,
  PreviewProviderTransientError,
  type PreviewSource,
  type PreviewVariable,
  type PushedVariable,
} from '@opshub/plugin-opshub-node';
import {
  startFakeProviderApi,
  type FakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import {
  ENV_CREATE,
  ENV_DELETE,
  ENV_SET,
  fakeNetlifyEnv,
} from './__fixtures__/netlifyEnv';
import {
  ACCOUNT_ID,
  githubRepo,
  HEAD_SHA,
  SITE_ID,
  siteObject,
} from './__fixtures__/netlifyObjects';
import { NetlifyPreviewProvider } from './NetlifyPreviewProvider';

const TOKEN = 'nfp_test_token_never_in_messages';
const BRANCH = 'feature/login-form';
const SITE = 'GET /api/v1/sites/:site_id';

const source: PreviewSource = {
  entityRef: 'component:default/web',
  annotations: {
    'opshub.dev/preview-provider': 'netlify',
    'netlify.com/site-id': SITE_ID,
  },
  repository: 'acme/web',
  prNumber: 42,
  branch: BRANCH,
  headSha: HEAD_SHA,
  fromFork: false,
};

/** Distinctive plaintexts, searched for in every error. */
const API_URL_VALUE = 'https://api.preview.acme.dev/plaintext-7f3a';
const SECRET_VALUE = 'sk_live_plaintext_secret_9c41e2';
const variables: PreviewVariable[] = [
  { name: 'API_URL', value: API_URL_VALUE, sensitive: false },
  { name: 'STRIPE_KEY', value: SECRET_VALUE, sensitive: true },
];

const ENV_PATH = `/api/v1/accounts/${ACCOUNT_ID}/env`;
const ALL_SCOPES = ['builds', 'functions', 'runtime', 'post-processing'];

describe('NetlifyPreviewProvider.syncEnvironment', () => {
  let api: FakeProviderApi;
  let env: ReturnType<typeof fakeNetlifyEnv>;
  const noAbort = { signal: new AbortController().signal };

  beforeEach(async () => {
    api = await startFakeProviderApi();
    api.route(SITE, () => ({ body: siteObject() }));
    env = fakeNetlifyEnv(api);
  });

  afterEach(() => api.close());

  function provider() {
    return new NetlifyPreviewProvider({
      token: TOKEN,
      apiBaseUrl: `${api.url}/api/v1`,
      timeoutMs: 5_000,
    });
  }

  function sync(
    vars: PreviewVariable[],
    pushed: PushedVariable[] = [],
    overrides: Partial<PreviewSource> = {},
  ) {
    return provider().syncEnvironment(
      { ...source, ...overrides },
      vars,
      pushed,
      noAbort,
    );
  }

  function requestLines() {
    return api.requests.map(
      r => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`,
    );
  }

  /** Every request after the site and env reads. */
  function writes() {
    return api.requests
      .filter(r => r.method !== 'GET')
      .map(r => ({ line: `${r.method} ${r.path}?${r.query}`, body: r.body }));
  }

  /** Others' vars: a key for all contexts, with another branch's value. */
  function seedOthers() {
    env.seed({
      key: 'API_URL',
      is_secret: false,
      values: [
        {
          id: 'v-all',
          value: 'https://api.acme.dev',
          context: 'all',
          context_parameter: '',
        },
        {
          id: 'v-other-branch',
          value: 'https://other.acme.dev',
          context: 'branch',
          context_parameter: 'feature/other',
        },
        {
          id: 'v-production',
          value: 'https://prod.acme.dev',
          context: 'production',
          context_parameter: '',
        },
      ],
    });
    env.seed({
      key: 'UNRELATED',
      is_secret: true,
      values: [
        {
          id: 'v-unrelated',
          value: 'theirs',
          context: 'all',
          context_parameter: '',
        },
      ],
    });
  }
  const snapshotOthers = () =>
    JSON.parse(JSON.stringify([...env.vars.values()]));

  function expectNoPlaintext(error: unknown) {
    const text = `${(error as Error).message} ${JSON.stringify(error)} ${
      (error as Error).stack
    }`;
    for (const { value } of variables) expect(text).not.toContain(value);
    expect(text).not.toContain(TOKEN);
  }

  it('creates a key per variable with one branch value for the PR branch', async () => {
    const pushed = await sync(variables);

    expect(requestLines()).toEqual([
      `GET /api/v1/sites/${SITE_ID}`,
      `GET ${ENV_PATH}?site_id=${SITE_ID}`,
      `POST ${ENV_PATH}?site_id=${SITE_ID}`,
      `POST ${ENV_PATH}?site_id=${SITE_ID}`,
    ]);
    expect(api.requests[2].body).toEqual([
      {
        key: 'API_URL',
        scopes: ALL_SCOPES,
        values: [
          {
            context: 'branch',
            context_parameter: BRANCH,
            value: API_URL_VALUE,
          },
        ],
        is_secret: false,
      },
    ]);
    expect(api.requests[3].body).toEqual([
      {
        key: 'STRIPE_KEY',
        scopes: ALL_SCOPES,
        values: [
          { context: 'branch', context_parameter: BRANCH, value: SECRET_VALUE },
        ],
        is_secret: true,
      },
    ]);
    for (const request of api.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
    expect(pushed).toEqual([
      {
        name: 'API_URL',
        providerId: env.vars.get('API_URL')!.values[0].id,
        detail: 'key',
      },
      {
        name: 'STRIPE_KEY',
        providerId: env.vars.get('STRIPE_KEY')!.values[0].id,
        detail: 'key',
      },
    ]);
    // What OpsHub stores holds no value.
    expect(JSON.stringify(pushed)).not.toContain(API_URL_VALUE);
    expect(JSON.stringify(pushed)).not.toContain(SECRET_VALUE);
  });

  it('updates only the branch value on the next push, without reading secrets back', async () => {
    const first = await sync(variables);
    api.requests.length = 0;
    const changed = [
      { ...variables[0], value: 'https://api2.preview.acme.dev' },
      { ...variables[1], value: 'sk_live_rotated_value' },
    ];

    const pushed = await sync(changed, first);

    expect(writes()).toEqual([
      {
        line: `PATCH ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
        body: {
          context: 'branch',
          context_parameter: BRANCH,
          value: 'https://api2.preview.acme.dev',
        },
      },
      {
        line: `PATCH ${ENV_PATH}/STRIPE_KEY?site_id=${SITE_ID}`,
        body: {
          context: 'branch',
          context_parameter: BRANCH,
          value: 'sk_live_rotated_value',
        },
      },
    ]);
    expect(pushed).toEqual(first);
    expect(env.vars.get('STRIPE_KEY')!.values).toEqual([
      expect.objectContaining({
        value: 'sk_live_rotated_value',
        context: 'branch',
        context_parameter: BRANCH,
      }),
    ]);
  });

  it("sets only its branch value on a key created by others, leaving others' values alone", async () => {
    seedOthers();
    const before = snapshotOthers();

    const pushed = await sync([variables[0]]);

    expect(writes()).toEqual([
      {
        line: `PATCH ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
        body: {
          context: 'branch',
          context_parameter: BRANCH,
          value: API_URL_VALUE,
        },
      },
    ]);
    const apiUrl = env.vars.get('API_URL')!;
    const ours = apiUrl.values.find(v => v.context_parameter === BRANCH)!;
    expect(pushed).toEqual([
      { name: 'API_URL', providerId: ours.id, detail: 'value' },
    ]);
    expect(apiUrl.values.filter(v => v !== ours)).toEqual(before[0].values);
    expect(env.vars.get('UNRELATED')).toEqual(before[1]);
  });

  it('removes a dropped variable: the whole key it created, only its value on a key of others', async () => {
    seedOthers();
    const before = snapshotOthers();
    const first = await sync(variables);
    api.requests.length = 0;

    const pushed = await sync([], first);

    const ourValue = first.find(p => p.name === 'API_URL')!.providerId;
    expect(writes()).toEqual([
      {
        line: `DELETE ${ENV_PATH}/API_URL/value/${ourValue}?site_id=${SITE_ID}`,
        body: undefined,
      },
      {
        line: `DELETE ${ENV_PATH}/STRIPE_KEY?site_id=${SITE_ID}`,
        body: undefined,
      },
    ]);
    expect(pushed).toEqual([]);
    expect(snapshotOthers()).toEqual(before);
  });

  it('removes only the dropped variable and keeps pushing the rest', async () => {
    const first = await sync(variables);
    api.requests.length = 0;

    const pushed = await sync([variables[0]], first);

    expect(writes().map(w => w.line)).toEqual([
      `DELETE ${ENV_PATH}/STRIPE_KEY?site_id=${SITE_ID}`,
      `PATCH ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
    ]);
    expect(pushed).toEqual([first[0]]);
    expect([...env.vars.keys()]).toEqual(['API_URL']);
  });

  it('keeps a key it created once others added a value to it, deleting only its own value', async () => {
    const first = await sync([variables[0]]);
    env.vars.get('API_URL')!.values.push({
      id: 'v-added-by-others',
      value: 'https://prod.acme.dev',
      context: 'production',
      context_parameter: '',
    });
    api.requests.length = 0;

    await sync([], first);

    expect(writes().map(w => w.line)).toEqual([
      `DELETE ${ENV_PATH}/API_URL/value/${first[0].providerId}?site_id=${SITE_ID}`,
    ]);
    expect(env.vars.get('API_URL')!.values.map(v => v.id)).toEqual([
      'v-added-by-others',
    ]);
  });

  it('cleans up at teardown, and counts what is already gone as removed', async () => {
    seedOthers();
    const before = snapshotOthers();
    const first = await sync(variables);
    env.vars.delete('STRIPE_KEY'); // deleted in Netlify's UI meanwhile
    api.requests.length = 0;

    await expect(sync([], first)).resolves.toEqual([]);
    expect(writes().map(w => w.line)).toEqual([
      `DELETE ${ENV_PATH}/API_URL/value/${first[0].providerId}?site_id=${SITE_ID}`,
    ]);
    expect(snapshotOthers()).toEqual(before);

    // A value that disappears between the read and the delete is removed too.
    api.requests.length = 0;
    const again = await sync([variables[0]]);
    api.answerOnce(`DELETE /api/v1/accounts/:account_id/env/:key/value/:id`, {
      status: 404,
      body: { code: 404, message: 'Not Found' },
    });
    await expect(sync([], again)).resolves.toEqual([]);
  });

  it('recreates a key it created as a secret once the variable becomes sensitive', async () => {
    const first = await sync([variables[0]]);
    api.requests.length = 0;

    const pushed = await sync([{ ...variables[0], sensitive: true }], first);

    expect(writes().map(w => w.line)).toEqual([
      `DELETE ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
      `POST ${ENV_PATH}?site_id=${SITE_ID}`,
    ]);
    expect(env.vars.get('API_URL')!.is_secret).toBe(true);
    expect(pushed).toEqual([
      {
        name: 'API_URL',
        providerId: env.vars.get('API_URL')!.values[0].id,
        detail: 'key',
      },
    ]);
  });

  it('sends no request at teardown when nothing was pushed', async () => {
    await expect(sync([], [])).resolves.toEqual([]);
    expect(api.requests).toEqual([]);
  });

  it('gives a fork nothing, without a request', async () => {
    await expect(sync(variables, [], { fromFork: true })).resolves.toEqual([]);
    await expect(
      sync([], [{ name: 'API_URL', providerId: 'x', detail: 'key' }], {
        fromFork: true,
      }),
    ).resolves.toEqual([]);
    expect(api.requests).toEqual([]);
  });

  it('refuses a site linked to another repository, and the production branch, before any env call', async () => {
    api.route(SITE, () => ({
      body: siteObject({}, githubRepo('acme/storefront')),
    }));
    const linked = await sync(variables).catch(e => e);
    expect(linked).toBeInstanceOf(PreviewProviderPermanentError);
    expect(linked.errorClass).toBe('configuration');

    api.route(SITE, () => ({ body: siteObject() }));
    const production = await sync(variables, [], { branch: 'main' }).catch(
      e => e,
    );
    expect(production).toBeInstanceOf(PreviewProviderPermanentError);
    expect(production.errorClass).toBe('configuration');
    expect(production.message).toContain("'main' is the production branch");

    expect(requestLines()).toEqual([
      `GET /api/v1/sites/${SITE_ID}`,
      `GET /api/v1/sites/${SITE_ID}`,
    ]);
  });

  it('refuses to put a sensitive variable in a non-secret key of others', async () => {
    seedOthers();
    const before = snapshotOthers();

    const error = await sync([
      { name: 'API_URL', value: SECRET_VALUE, sensitive: true },
    ]).catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderPermanentError);
    expect(error.errorClass).toBe('configuration');
    expect(error.message).toContain('API_URL');
    expectNoPlaintext(error);
    expect(writes()).toEqual([]);
    expect(snapshotOthers()).toEqual(before);
  });

  /** A value someone set by hand for the PR's own branch. */
  function seedHandMadeBranchValue() {
    env.seed({
      key: 'API_URL',
      is_secret: false,
      values: [
        {
          id: 'v-hand-made',
          value: 'https://hand-made.acme.dev',
          context: 'branch',
          context_parameter: BRANCH,
        },
        {
          id: 'v-all',
          value: 'https://api.acme.dev',
          context: 'all',
          context_parameter: '',
        },
      ],
    });
  }

  it("refuses a key that holds others' value for the PR branch, writing nothing at all", async () => {
    seedHandMadeBranchValue();
    const before = snapshotOthers();
    // A dropped variable OpsHub recorded is not removed by the refused call.
    const recordedElsewhere: PushedVariable = {
      name: 'OLD_FLAG',
      providerId: 'v-old',
      detail: 'key',
    };

    const error = await sync(variables, [recordedElsewhere]).catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderPermanentError);
    expect(error.errorClass).toBe('configuration');
    expect(error.message).toContain('API_URL');
    expect(error.message).toContain(`branch '${BRANCH}'`);
    expect(error.message).toContain('was not created by OpsHub');
    expect(error.message).toContain('Delete that branch value of API_URL');
    expect(error.message).not.toContain('hand-made.acme.dev');
    expectNoPlaintext(error);
    expect(requestLines()).toEqual([
      `GET /api/v1/sites/${SITE_ID}`,
      `GET ${ENV_PATH}?site_id=${SITE_ID}`,
    ]);
    expect(snapshotOthers()).toEqual(before);
  });

  it('refuses its own value whose answer was lost, until the team deletes it in Netlify', async () => {
    await sync([variables[0]]); // Netlify set it; OpsHub never recorded it.
    api.requests.length = 0;

    const error = await sync([variables[0]]).catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderPermanentError);
    expect(error.errorClass).toBe('configuration');
    expect(error.message).toContain('Delete that branch value of API_URL');
    expectNoPlaintext(error);
    expect(writes()).toEqual([]);

    env.vars.delete('API_URL'); // the team deletes it
    await expect(sync([variables[0]])).resolves.toEqual([
      expect.objectContaining({ name: 'API_URL', detail: 'key' }),
    ]);
  });

  it('rolls back what a failed push wrote, so its retry succeeds', async () => {
    seedOthers();
    const before = snapshotOthers();
    // API_URL gets its branch value, then creating STRIPE_KEY fails.
    api.answerOnce(ENV_CREATE, {
      status: 503,
      body: { code: 503, message: 'Service Unavailable' },
    });

    const error = await sync(variables).catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderTransientError);
    expectNoPlaintext(error);
    const patch = writes()[0];
    expect(patch).toEqual({
      line: `PATCH ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
      body: {
        context: 'branch',
        context_parameter: BRANCH,
        value: API_URL_VALUE,
      },
    });
    expect(writes().map(w => w.line)).toEqual([
      `PATCH ${ENV_PATH}/API_URL?site_id=${SITE_ID}`,
      `POST ${ENV_PATH}?site_id=${SITE_ID}`,
      expect.stringMatching(
        new RegExp(`^DELETE ${ENV_PATH}/API_URL/value/[^/?]+\\?site_id=`),
      ),
    ]);
    expect(snapshotOthers()).toEqual(before);

    const pushed = await sync(variables);
    expect(pushed.map(p => [p.name, p.detail])).toEqual([
      ['API_URL', 'value'],
      ['STRIPE_KEY', 'key'],
    ]);
  });

  it('reports a refusal as configuration naming the variable and call, never the value', async () => {
    // Netlify's message echoes the value it refused.
    api.answerOnce(ENV_CREATE, {
      status: 422,
      body: {
        code: 422,
        message: `Invalid value '${SECRET_VALUE}' for STRIPE_KEY`,
      },
    });

    const error = await sync([variables[1]]).catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderPermanentError);
    expect(error.errorClass).toBe('configuration');
    expect(error.message).toBe(
      `Netlify could not create variable STRIPE_KEY for branch '${BRANCH}' on site ${SITE_ID}: HTTP 422 (Invalid value '[redacted]' for STRIPE_KEY)`,
    );
    expectNoPlaintext(error);
  });

  it('stays transient on every attempt while Netlify answers 5xx', async () => {
    const first = await sync(variables);
    api.route(ENV_SET, () => ({
      status: 503,
      body: { code: 503, message: 'Service Unavailable' },
    }));
    api.route(ENV_DELETE, () => ({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>502 Bad Gateway</html>',
    }));

    for (let attempt = 0; attempt < 3; attempt++) {
      const update = await sync(variables, first).catch(e => e);
      expect(update).toBeInstanceOf(PreviewProviderTransientError);
      expect(update.message).toBe(
        `Netlify could not set variable API_URL for branch '${BRANCH}' on site ${SITE_ID}: HTTP 503 (Service Unavailable)`,
      );
      expectNoPlaintext(update);
      const teardown = await sync([], first).catch(e => e);
      expect(teardown).toBeInstanceOf(PreviewProviderTransientError);
      expect(teardown.message).toContain('HTTP 502');
      expectNoPlaintext(teardown);
    }
  });

  it('reports an unreachable API as transient, without a value', async () => {
    const first = await sync(variables);
    await api.close();

    const error = await provider()
      .syncEnvironment(source, variables, first, noAbort)
      .catch(e => e);

    expect(error).toBeInstanceOf(PreviewProviderTransientError);
    expectNoPlaintext(error);
  });
});
