import {
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// The template's actions write through the real OpsHub plugin's routes.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import opshubPlugin from '@opshub/plugin-opshub-backend';
import {
  type FakeProviderApi,
  startFakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { startFakeCatalogRepository } from '../actions/annotate/__testUtils__/fakeCatalogRepository';
import { scaffolderModuleOpsHub } from '../module';

jest.setTimeout(30_000);

const TEMPLATE_FILE = resolve(
  __dirname,
  '../../../../examples/templates/onboard-repository.yaml',
);
const TEMPLATE_REF = 'template:default/opshub-onboard-repository';
const ENTITY_REF = 'component:default/web';
const PUBLIC_BASE_URL = 'https://opshub.acme.test';
const WEBHOOK_SECRET = 'webhook-secret-of-acme-3b9e';
const SEED_VALUE = 'postgres://web:s3cr3t-0nb0arding@db.acme.test/web';
const REPO = '/repos/acme/web';
const BRANCH = 'opshub%2Fonboard-web';
/** How often the scaffolder reads a running task's new events. */
const SCAFFOLDER_EVENT_POLL_MS = 1_000;

const asMock = { authorization: mockCredentials.user.header() };

/** The Component as the catalog has it: none of OpsHub's annotations. */
const WEB: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location':
        'url:https://github.com/acme/web/blob/main/catalog-info.yaml',
    },
  },
  spec: {
    type: 'website',
    lifecycle: 'production',
    owner: 'group:default/web',
  },
};

/** Its catalog file: a comment, the Component, then a second document. */
const CATALOG_FILE = `# The shop's web front end
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
spec:
  type: website
  lifecycle: production
  owner: group:default/web # the web team
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: web-api
spec:
  type: openapi
  lifecycle: production
  owner: group:default/web
  definition: {}
`;

/**
 * One in-memory SQLite database per plugin, kept so the scaffolder's stored
 * tasks can be read.
 */
function databasesPerPlugin() {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const clients = new Map<string, ReturnType<typeof databases.init>>();
  const clientOf = (pluginId: string) => {
    if (!clients.has(pluginId))
      clients.set(pluginId, databases.init('SQLITE_3'));
    return clients.get(pluginId)!;
  };
  return {
    clientOf,
    factory: createServiceFactory({
      service: coreServices.database,
      deps: { plugin: coreServices.pluginMetadata },
      factory: ({ plugin }) => ({
        getClient: () => clientOf(plugin.getId()),
      }),
    }),
  };
}

const databases = databasesPerPlugin();

describe('examples/templates/onboard-repository.yaml', () => {
  let github: FakeProviderApi;
  let service: FakeProviderApi;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  /** When the task was seen to end. */
  let endedAt = 0;
  afterEach(async () => {
    // The scaffolder watches a task's events for a cancellation, reading
    // its database once a second until it sees the completion, and goes on
    // after the backend stops: let it read once more (its timer is due
    // before this one) before the database closes.
    const watchDone = endedAt + SCAFFOLDER_EVENT_POLL_MS + 500;
    await new Promise(r => setTimeout(r, Math.max(0, watchDone - Date.now())));
    await backend?.stop();
    await Promise.all([github?.close(), service?.close()]);
  });

  it('connects a repository through the scaffolder: webhook, annotations PR, roles, variable and health check', async () => {
    const files: Record<string, Record<string, string>> = {
      main: { 'catalog-info.yaml': CATALOG_FILE },
    };
    github = await startFakeCatalogRepository(files);
    github.route('GET /repos/:owner/:repo/hooks', () => ({ body: [] }));
    github.route('POST /repos/:owner/:repo/hooks', () => ({
      status: 201,
      body: { id: 7 },
    }));
    // What the health check would probe: an address of this test's own on
    // loopback (allowed by opshub.health.allowedNetworks), so no probe
    // ever leaves the host.
    service = await startFakeProviderApi();
    const healthUrl = `https://127.0.0.1:${service.port}/health`;

    const template = parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Entity;
    backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleOpsHub,
        opshubPlugin,
        databases.factory,
        catalogServiceMock.factory({ entities: [template, WEB] }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: github.url,
                  token: 'ghp_test',
                },
              ],
            },
            opshub: {
              publicBaseUrl: PUBLIC_BASE_URL,
              github: { webhookSecret: WEBHOOK_SECRET },
              encryption: {
                keys: [
                  { id: 'k1', secret: randomBytes(32).toString('base64') },
                ],
              },
              health: { allowedNetworks: ['127.0.0.1/32'] },
              // No job worker: nothing but the task talks to GitHub.
              queue: { concurrency: 0 },
            },
          },
        }),
      ],
    });
    const baseUrl = `http://127.0.0.1:${backend.server.port()}`;
    const call = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${baseUrl}${path}`, {
        ...init,
        headers: {
          ...asMock,
          ...(init.body && { 'content-type': 'application/json' }),
        },
      });
      const text = await response.text();
      return { status: response.status, text, body: text && JSON.parse(text) };
    };

    // Start the task as a user would from the Create page.
    const created = await call('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({
        templateRef: TEMPLATE_REF,
        values: {
          entityRef: ENTITY_REF,
          repository: 'acme/web',
          provider: 'mock',
          slackChannel: '#web-deploys',
          roles: [{ subject: 'user:default/jane', role: 'developer' }],
          healthUrl,
          seedVariableName: 'DATABASE_URL',
          seedVariableEnvironment: 'preview',
        },
        secrets: { seedVariableValue: SEED_VALUE },
      }),
    });
    expect(created).toMatchObject({ status: 201 });
    const taskPath = `/api/scaffolder/v2/tasks/${created.body.id}`;

    let task = (await call(taskPath)).body;
    for (
      const deadline = Date.now() + 20_000;
      !['completed', 'failed', 'cancelled'].includes(task.status) &&
      Date.now() < deadline;
      task = (await call(taskPath)).body
    ) {
      await new Promise(r => setTimeout(r, 100));
    }
    endedAt = Date.now();
    const events = await call(`${taskPath}/events`);
    const log = (events.body as Array<{ type: string; body: any }>)
      .filter(e => e.type === 'log')
      .map(e => `${e.body.stepId ?? '-'}: ${e.body.message}`);
    if (task.status !== 'completed') {
      throw new Error(`The task is ${task.status}:\n${log.join('\n')}`);
    }

    // GitHub: the webhook, then the annotations PR through the REST API.
    expect(
      github.requests.map(
        r => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`,
      ),
    ).toEqual([
      `GET ${REPO}/hooks?per_page=100`,
      `POST ${REPO}/hooks`,
      `GET ${REPO}`,
      `GET ${REPO}/contents/catalog-info.yaml?ref=main`,
      `GET ${REPO}/git/ref/heads%2Fmain`,
      `POST ${REPO}/git/refs`,
      `GET ${REPO}/contents/catalog-info.yaml?ref=${BRANCH}`,
      `PUT ${REPO}/contents/catalog-info.yaml`,
      `GET ${REPO}/pulls?head=acme%3A${BRANCH}&base=main&state=open`,
      `POST ${REPO}/pulls`,
    ]);
    for (const request of github.requests) {
      expect(request.headers.authorization).toBe('token ghp_test');
    }
    expect(github.requests[1].body).toEqual({
      name: 'web',
      active: true,
      events: ['pull_request', 'deployment', 'deployment_status'],
      config: {
        url: `${PUBLIC_BASE_URL}/api/opshub/webhooks/github`,
        content_type: 'json',
        secret: WEBHOOK_SECRET,
        insecure_ssl: '0',
      },
    });
    expect(files['opshub/onboard-web']['catalog-info.yaml']).toBe(
      CATALOG_FILE.replace(
        '  name: web\n',
        [
          '  name: web',
          '  annotations:',
          '    github.com/project-slug: acme/web',
          '    opshub.dev/preview-provider: mock',
          '    slack.com/bot-notify: "#web-deploys"',
          `    opshub.dev/health-url: ${healthUrl}`,
          '',
        ].join('\n'),
      ),
    );
    expect(github.requests[9].body).toMatchObject({
      base: 'main',
      head: 'opshub/onboard-web',
      title: 'Connect web to OpsHub',
    });

    // The task's output: the PR and the OpsHub tab.
    const completion = (events.body as Array<{ type: string; body: any }>).find(
      e => e.type === 'completion',
    );
    expect(completion?.body.output.links).toEqual([
      {
        title: 'Annotations pull request',
        url: 'https://github.com/acme/web/pull/12',
      },
      {
        title: 'OpsHub tab',
        icon: 'catalog',
        url: '/catalog/default/component/web/opshub',
      },
    ]);

    // OpsHub, through its own routes, has what the template configured.
    const opshub = '/api/opshub/entities/component/default/web';
    const assignments = await call(`${opshub}/assignments`);
    expect(assignments.body.items).toEqual([
      expect.objectContaining({
        entityRef: ENTITY_REF,
        subjectRef: 'user:default/jane',
        role: 'developer',
        createdBy: 'user:default/mock',
      }),
    ]);
    const health = await call(`${opshub}/health`);
    expect(health.body.checks).toEqual([
      expect.objectContaining({ name: 'Health URL', url: healthUrl }),
    ]);
    const variables = await call(`${opshub}/envvars`);
    expect(variables.body.items).toEqual([
      expect.objectContaining({
        environment: 'preview',
        name: 'DATABASE_URL',
        sensitive: true,
        value: '••••',
        updatedBy: 'user:default/mock',
      }),
    ]);
    expect(variables.text).not.toContain(SEED_VALUE);

    // The secret is in no log line, no answer, no stored task and nothing
    // sent to GitHub.
    const scaffolderDb = await databases.clientOf('scaffolder');
    const stored = JSON.stringify([
      await scaffolderDb('tasks').select(),
      await scaffolderDb('task_events').select(),
    ]);
    expect(stored).toContain('Created webhook 7 of acme/web');
    for (const text of [
      events.text,
      JSON.stringify(task),
      stored,
      JSON.stringify(github.requests.map(r => r.body)),
    ]) {
      expect(text).not.toContain(SEED_VALUE);
      expect(text).not.toContain('s3cr3t-0nb0arding');
    }
    expect(events.text).not.toContain(WEBHOOK_SECRET);
  });
});
