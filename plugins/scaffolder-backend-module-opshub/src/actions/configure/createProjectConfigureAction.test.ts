import {
  OPSHUB_API,
  opsHubError,
  startOpsHubActionTestKit,
  taskContext,
} from '../../__testUtils__/opsHubActionTestKit';
import { createProjectConfigureAction } from './createProjectConfigureAction';

const ENTITY = `${OPSHUB_API}/entities/component/default/storefront`;
const SECRET = 's3cr3t-db-password';

const input = {
  entityRef: 'component:default/storefront',
  roles: [{ subject: 'group:default/web', role: 'maintainer' }],
  variables: [
    { environment: 'production', name: 'DATABASE_URL', value: SECRET },
    {
      environment: 'preview',
      name: 'LOG_LEVEL',
      value: 'debug',
      sensitive: false,
    },
  ],
  healthChecks: [
    {
      name: 'Home',
      url: 'https://storefront.example.com/health',
      intervalSeconds: 60,
    },
  ],
  approveBinding: true,
};

describe('opshub:project:configure', () => {
  let kit: Awaited<ReturnType<typeof startOpsHubActionTestKit>>;

  beforeEach(async () => {
    kit = await startOpsHubActionTestKit();
    kit.opshub.route(`POST ${ENTITY}/assignments`, () => ({ status: 201 }));
    kit.opshub.route(`PUT ${ENTITY}/envvars/:env/:name`, () => ({
      status: 201,
    }));
    kit.opshub.route(`POST ${ENTITY}/health/checks`, () => ({ status: 201 }));
    kit.opshub.route(
      `PUT ${OPSHUB_API}/org/bindings/component/default/storefront`,
      () => ({ body: { verified: true } }),
    );
  });
  afterEach(() => kit.opshub.close());

  const run = (task: ReturnType<typeof taskContext>) =>
    createProjectConfigureAction(kit.deps).handler(task.ctx);

  it('makes exactly these requests, as the initiator, and outputs counts', async () => {
    const task = taskContext(input);
    await run(task);

    expect(kit.calls()).toEqual([
      `POST ${ENTITY}/assignments`,
      `PUT ${ENTITY}/envvars/production/DATABASE_URL`,
      `PUT ${ENTITY}/envvars/preview/LOG_LEVEL`,
      `POST ${ENTITY}/health/checks`,
      `PUT ${OPSHUB_API}/org/bindings/component/default/storefront`,
    ]);
    expect(kit.opshub.requests.map(r => r.body)).toEqual([
      { subjectRef: 'group:default/web', role: 'maintainer' },
      { value: SECRET, sensitive: true },
      { value: 'debug', sensitive: false },
      {
        name: 'Home',
        url: 'https://storefront.example.com/health',
        intervalMs: 60_000,
      },
      {},
    ]);
    for (const request of kit.opshub.requests) {
      expect(request.headers.authorization).toBe(kit.initiatorAuthorization);
    }
    expect(task.outputs()).toEqual({
      roles: 1,
      variables: 2,
      healthChecks: 1,
      bindingApproved: true,
    });
    expect(task.written()).not.toContain(SECRET);
  });

  it('asks for exactly the permissions the input needs, before any request', async () => {
    await run(taskContext(input));
    const [requests] = (kit.permissions.authorize as jest.Mock).mock.calls[0];
    expect(
      requests.map((r: any) => [r.permission.name, r.resourceRef]),
    ).toEqual(
      [
        'opshub.role.manage',
        'opshub.envvar.write',
        'opshub.envvar.write.production',
        'opshub.health.manage',
        'opshub.admin',
      ].map(name => [name, 'component:default/storefront']),
    );

    (kit.permissions.authorize as jest.Mock).mockClear();
    await run(
      taskContext({
        entityRef: 'component:default/storefront',
        variables: [{ environment: 'preview', name: 'A', value: 'x' }],
      }),
    );
    const [only] = (kit.permissions.authorize as jest.Mock).mock.calls[0];
    expect(only.map((r: any) => r.permission.name)).toEqual([
      'opshub.envvar.write',
    ]);
  });

  it('treats environments in opshub.envvars.protectedEnvironments as protected', async () => {
    await kit.opshub.close();
    kit = await startOpsHubActionTestKit({
      opshub: { envvars: { protectedEnvironments: ['staging'] } },
    });
    kit.opshub.route(`PUT ${ENTITY}/envvars/:env/:name`, () => ({}));
    kit.deny('opshub.envvar.write.production');
    await run(
      taskContext({
        entityRef: 'component:default/storefront',
        variables: [{ environment: 'production', name: 'A', value: 'x' }],
      }),
    );
    await expect(
      run(
        taskContext({
          entityRef: 'component:default/storefront',
          variables: [{ environment: 'staging', name: 'A', value: 'x' }],
        }),
      ),
    ).rejects.toThrow('opshub.envvar.write.production');
    expect(kit.calls()).toEqual([`PUT ${ENTITY}/envvars/production/A`]);
  });

  it('repeats nothing when the task is retried', async () => {
    const first = taskContext(input);
    await run(first);
    const retry = taskContext(input, { checkpoints: first.checkpoints });
    await run(retry);

    expect(kit.opshub.requests).toHaveLength(5);
    expect([...first.checkpoints.keys()]).toEqual([
      'role:group:default/web',
      'var:production/DATABASE_URL',
      'var:preview/LOG_LEVEL',
      'check:Home',
      'binding',
    ]);
    expect(retry.outputs()).toEqual(first.outputs());
  });

  it('calls nothing in a dry run', async () => {
    const task = taskContext(input, { isDryRun: true });
    await run(task);
    expect(kit.opshub.requests).toEqual([]);
    expect(task.written()).not.toContain(SECRET);
  });

  it('refuses, in a dry run too, an initiator without a permission', async () => {
    kit.deny('opshub.role.manage');
    await expect(run(taskContext(input, { isDryRun: true }))).rejects.toThrow(
      'may not opshub.role.manage',
    );
  });

  it('refuses an initiator without a permission before any request', async () => {
    kit.deny('opshub.health.manage');
    await expect(run(taskContext(input))).rejects.toThrow(
      "The task's initiator may not opshub.health.manage on component:default/storefront",
    );
    expect(kit.opshub.requests).toEqual([]);
  });

  it("fails the step with OpsHub's message, never the value", async () => {
    kit.opshub.answerOnce(
      `PUT ${ENTITY}/envvars/:env/:name`,
      opsHubError(400, 'InputError', 'value is over 64 KiB'),
    );
    const error: Error = await run(taskContext(input)).catch(e => e);
    expect(error.message).toBe(
      `OpsHub answered PUT /entities/component/default/storefront/envvars/production/DATABASE_URL with 400: value is over 64 KiB`,
    );
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(kit.calls()).toHaveLength(2);
  });

  it('counts an assignment or a check OpsHub already has as done', async () => {
    const conflict = (message: string) =>
      opsHubError(409, 'ConflictError', message);
    kit.opshub.answerOnce(
      `POST ${ENTITY}/assignments`,
      conflict('group:default/web already holds a role'),
    );
    kit.opshub.route(`GET ${ENTITY}/assignments`, () => ({
      body: {
        items: [{ subjectRef: 'group:default/web', role: 'maintainer' }],
      },
    }));
    kit.opshub.answerOnce(
      `POST ${ENTITY}/health/checks`,
      conflict('A check named Home exists'),
    );
    kit.opshub.route(`GET ${ENTITY}/health`, () => ({
      body: {
        checks: [
          { name: 'Home', url: 'https://storefront.example.com/health' },
        ],
      },
    }));
    const task = taskContext(input);
    await run(task);
    expect(kit.calls()).toEqual([
      `POST ${ENTITY}/assignments`,
      `GET ${ENTITY}/assignments`,
      `PUT ${ENTITY}/envvars/production/DATABASE_URL`,
      `PUT ${ENTITY}/envvars/preview/LOG_LEVEL`,
      `POST ${ENTITY}/health/checks`,
      `GET ${ENTITY}/health`,
      `PUT ${OPSHUB_API}/org/bindings/component/default/storefront`,
    ]);
    expect(task.outputs().healthChecks).toBe(1);
  });

  it('fails on a check name taken by another URL, or a subject holding another role', async () => {
    kit.opshub.route(`POST ${ENTITY}/health/checks`, () =>
      opsHubError(409, 'ConflictError', 'Home is taken'),
    );
    kit.opshub.route(`GET ${ENTITY}/health`, () => ({
      body: {
        checks: [{ name: 'Home', url: 'https://elsewhere.example.com' }],
      },
    }));
    await expect(
      run(taskContext({ ...input, roles: [], variables: [] })),
    ).rejects.toThrow('with 409: Home is taken');

    kit.opshub.route(`POST ${ENTITY}/assignments`, () =>
      opsHubError(409, 'ConflictError', 'holds a role'),
    );
    kit.opshub.route(`GET ${ENTITY}/assignments`, () => ({
      body: { items: [{ subjectRef: 'group:default/web', role: 'viewer' }] },
    }));
    await expect(run(taskContext(input))).rejects.toThrow(
      'with 409: holds a role',
    );
  });
});
