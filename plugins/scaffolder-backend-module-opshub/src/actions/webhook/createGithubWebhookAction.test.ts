import type { JsonObject } from '@backstage/config';
import {
  type FakeProviderApi,
  startFakeGithub,
} from '@opshub/plugin-opshub-node/testUtils';
import {
  startOpsHubActionTestKit,
  taskContext,
} from '../../__testUtils__/opsHubActionTestKit';
import { createGithubWebhookAction } from './createGithubWebhookAction';

const INPUT = {
  entityRef: 'component:default/web',
  repository: 'acme/web',
};
const TARGET = 'https://opshub.acme.test/api/opshub/webhooks/github';
const PRIMARY = 'primary-secret-5f2c';
const EVENTS = ['pull_request', 'deployment', 'deployment_status'];
const HOOKS = '/repos/acme/web/hooks';
const SENT_CONFIG = {
  url: TARGET,
  content_type: 'json',
  secret: PRIMARY,
  insecure_ssl: '0',
};

const hook = (id: number, url: string) => ({
  id,
  name: 'web',
  active: true,
  events: ['push'],
  config: { url, content_type: 'json', insecure_ssl: '0' },
});

describe('opshub:github:webhook', () => {
  let github: FakeProviderApi;
  let kit: Awaited<ReturnType<typeof startOpsHubActionTestKit>>;
  afterEach(() => Promise.all([github.close(), kit.opshub.close()]));

  /** The fake GitHub holding `existing` hooks on acme/web; new ones get id 7. */
  async function setup(
    opshub: JsonObject = {},
    existing: object[] = [],
    backend: JsonObject = { baseUrl: 'https://backstage.acme.test' },
  ) {
    github = await startFakeGithub();
    github.route('GET /repos/:owner/:repo/hooks', () => ({ body: existing }));
    github.route('POST /repos/:owner/:repo/hooks', () => ({
      status: 201,
      body: { id: 7 },
    }));
    github.route('PATCH /repos/:owner/:repo/hooks/:id', ({ params }) => ({
      body: { id: Number(params.id) },
    }));
    kit = await startOpsHubActionTestKit({
      backend,
      integrations: {
        github: [
          { host: 'github.com', apiBaseUrl: github.url, token: 'ghp_test' },
        ],
      },
      opshub: {
        publicBaseUrl: 'https://opshub.acme.test/',
        ...opshub,
        github: { webhookSecret: PRIMARY, ...(opshub.github as object) },
      },
    });
    return createGithubWebhookAction(kit.deps);
  }

  const calls = () =>
    github.requests.map(
      r => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`,
    );
  const sentSecret = () =>
    (github.requests.at(-1)?.body as { config: { secret: string } }).config
      .secret;

  it('creates the webhook to OpsHub with the primary secret', async () => {
    const action = await setup({}, [hook(3, 'https://ci.acme.test/hook')]);
    const task = taskContext(INPUT);
    await action.handler(task.ctx);

    expect(calls()).toEqual([`GET ${HOOKS}?per_page=100`, `POST ${HOOKS}`]);
    expect(github.requests[1].headers.authorization).toBe('token ghp_test');
    expect(github.requests[1].body).toEqual({
      name: 'web',
      active: true,
      events: EVENTS,
      config: SENT_CONFIG,
    });
    expect(task.outputs()).toEqual({ hookId: 7, created: true });
  });

  it("updates OpsHub's existing hook instead of adding a second", async () => {
    const action = await setup({}, [
      hook(3, 'https://ci.acme.test/hook'),
      { ...hook(12, TARGET), active: false },
    ]);
    const task = taskContext(INPUT);
    await action.handler(task.ctx);

    expect(calls()).toEqual([`GET ${HOOKS}?per_page=100`, `PATCH ${HOOKS}/12`]);
    expect(github.requests[1].body).toEqual({
      active: true,
      events: EVENTS,
      config: SENT_CONFIG,
    });
    expect(task.outputs()).toEqual({ hookId: 12, created: false });
  });

  it('repeats nothing when a retried task runs the step again', async () => {
    const action = await setup();
    const first = taskContext(INPUT);
    await action.handler(first.ctx);
    expect(github.requests).toHaveLength(2);

    const retry = taskContext(INPUT, { checkpoints: first.checkpoints });
    await action.handler(retry.ctx);
    expect(github.requests).toHaveLength(2);
    expect(retry.outputs()).toEqual({ hookId: 7, created: true });
  });

  it('calls GitHub not at all in a dry run', async () => {
    const action = await setup();
    const task = taskContext(INPUT, { isDryRun: true });
    await action.handler(task.ctx);

    expect(github.requests).toEqual([]);
    expect(task.outputs()).toEqual({ hookId: 0, created: true });
    expect(task.written()).toContain(
      `Dry run: would create or update the webhook of acme/web delivering pull_request, deployment, deployment_status to ${TARGET}`,
    );
  });

  it("fails the step with GitHub's message when GitHub refuses", async () => {
    const action = await setup();
    github.answerOnce('POST /repos/:owner/:repo/hooks', {
      status: 404,
      body: {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/repos/webhooks',
      },
    });
    const task = taskContext(INPUT);
    const failure = action.handler(task.ctx);

    await expect(failure).rejects.toThrow(
      'GitHub refused to create the webhook on acme/web: 404 Not Found',
    );
    await expect(failure).rejects.not.toThrow(PRIMARY);
    expect(task.checkpoints.size).toBe(0);
  });

  it("names a 422's field errors", async () => {
    const action = await setup();
    github.answerOnce('POST /repos/:owner/:repo/hooks', {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'Hook', message: 'Hook already exists' }],
      },
    });
    await expect(action.handler(taskContext(INPUT).ctx)).rejects.toThrow(
      'GitHub refused to create the webhook on acme/web: 422 Validation Failed; Hook already exists',
    );
  });

  it('fails when it may not list the hooks (403)', async () => {
    const action = await setup();
    github.answerOnce('GET /repos/:owner/:repo/hooks', {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    await expect(action.handler(taskContext(INPUT).ctx)).rejects.toThrow(
      'GitHub refused to list the webhooks of acme/web: 403 Resource not accessible by integration',
    );
    expect(calls()).toEqual([`GET ${HOOKS}?per_page=100`]);
  });

  it('refuses an initiator without opshub.project.settings', async () => {
    const action = await setup();
    kit.deny('opshub.project.settings');
    await expect(action.handler(taskContext(INPUT).ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        "The task's initiator may not opshub.project.settings on component:default/web",
    });
    expect(github.requests).toEqual([]);
  });

  it("signs with the repository's secret, else its owner's, else the primary", async () => {
    const additionalWebhookSecrets = [
      'rotated-out-unscoped',
      { secret: 'globex-secret', owners: ['globex'] },
      { secret: 'acme-secret', owners: ['ACME'] },
      { secret: 'web-secret', repositories: ['acme/Web'] },
    ];
    const action = await setup({ github: { additionalWebhookSecrets } });
    const secretFor = async (repository: string) => {
      await action.handler(taskContext({ ...INPUT, repository }).ctx);
      return sentSecret();
    };

    expect(await secretFor('acme/web')).toBe('web-secret');
    expect(await secretFor('acme/api')).toBe('acme-secret');
    expect(await secretFor('initech/api')).toBe(PRIMARY);
  });

  it('fails, naming no secret, when none is configured', async () => {
    const action = await setup({
      github: {
        webhookSecret: undefined,
        additionalWebhookSecrets: [
          { secret: 'globex-secret', owners: ['globex'] },
        ],
      },
    });
    const failure = action.handler(taskContext(INPUT).ctx);
    await expect(failure).rejects.toMatchObject({
      name: 'InputError',
      message:
        'No webhook secret for acme/web: set opshub.github.webhookSecret or an opshub.github.additionalWebhookSecrets entry scoped to it',
    });
    expect(github.requests).toEqual([]);
  });

  it('points at backend.baseUrl when opshub.publicBaseUrl is unset', async () => {
    const action = await setup({ publicBaseUrl: undefined }, [], {
      baseUrl: 'http://localhost:7007',
    });
    await action.handler(taskContext(INPUT).ctx);
    expect(github.requests[1].body).toMatchObject({
      config: { url: 'http://localhost:7007/api/opshub/webhooks/github' },
    });
  });

  it.each([
    ['organization', "organisation's webhook"],
    ['app', "GitHub App's webhook"],
  ])(
    'skips, saying why, when the webhook source is %s',
    async (webhookSource, through) => {
      const action = await setup({ github: { webhookSource } });
      const task = taskContext(INPUT);
      await action.handler(task.ctx);

      const reason = `opshub.github.webhookSource is ${webhookSource}: GitHub delivers to OpsHub through the ${through}, so acme/web needs no webhook of its own`;
      expect(task.outputs()).toEqual({ skipped: true, reason });
      expect(task.written()).toContain(`Skipped: ${reason}`);
      expect(github.requests).toEqual([]);
    },
  );

  it('checks the permission before skipping', async () => {
    const action = await setup({ github: { webhookSource: 'app' } });
    kit.deny('opshub.project.settings');
    await expect(action.handler(taskContext(INPUT).ctx)).rejects.toThrow(
      'may not opshub.project.settings',
    );
  });

  it('writes no secret to its logs or outputs', async () => {
    const action = await setup({}, [hook(12, TARGET)]);
    const tasks = [taskContext(INPUT), taskContext(INPUT, { isDryRun: true })];
    for (const task of tasks) await action.handler(task.ctx);

    expect(sentSecret()).toBe(PRIMARY);
    for (const task of tasks) {
      expect(task.written()).toContain('acme/web');
      expect(task.written()).not.toContain(PRIMARY);
    }
  });
});
