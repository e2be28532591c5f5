import {
  minimumRoleFor,
  OPSHUB_ROLES,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { BUILD_PREVIEW } from '../previews/previewJobHandlers';
import { DatabaseRoleAssignmentStore } from '../rbac/DatabaseRoleAssignmentStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { STOREFRONT } from '../__testUtils__/rbacBackend';
import { waitFor } from '../__testUtils__/waitFor';
import { startMcpBackend, STATIC_TOKENS } from './__testUtils__/mcpBackend';
import {
  callTool,
  connectMcpClient,
  type McpClient,
} from './__testUtils__/mcpClient';

jest.setTimeout(60_000);

/**
 * OpsHub's tools as mcp-actions names them (`<pluginId>.<action name>`),
 * each with the permission its route requires, in the order the role
 * matrix calls them (a redeploy before the destroy of the same preview).
 */
const TOOLS = {
  'opshub.list-previews': 'opshub.preview.read',
  'opshub.get-preview': 'opshub.preview.read',
  'opshub.get-health': 'opshub.health.read',
  'opshub.get-deploy-analytics': 'opshub.analytics.read',
  'opshub.list-env-var-names': 'opshub.envvar.read',
  'opshub.list-deliveries': 'opshub.admin',
  'opshub.redeploy-preview': 'opshub.preview.manage',
  'opshub.destroy-preview': 'opshub.preview.manage',
} as const;
type ToolName = keyof typeof TOOLS;
const READ_ONLY_TOOLS = Object.keys(TOOLS).filter(
  name => !/redeploy|destroy/.test(name),
);

/** Valid arguments of every tool, about storefront and its preview. */
const argumentsOf = (
  previewId: string,
): Record<ToolName, Record<string, unknown>> => ({
  'opshub.list-previews': { entityRef: STOREFRONT },
  'opshub.get-preview': { previewId },
  'opshub.get-health': { entityRef: STOREFRONT },
  'opshub.get-deploy-analytics': { entityRef: STOREFRONT },
  'opshub.list-env-var-names': { entityRef: STOREFRONT },
  'opshub.list-deliveries': {},
  'opshub.redeploy-preview': { previewId },
  'opshub.destroy-preview': { previewId },
});

/**
 * OpsHub's refusal as mcp-actions reports it, a tool error: the permission
 * missing, or, to a caller who may not read it, a preview not found (as an
 * unknown id is).
 */
const REFUSED =
  /^(NotAllowedError: Requires opshub\.|NotFoundError: No preview )/;

const databases = createTestDatabases();

describe('OpsHub over MCP, with Backstage sign-in and static tokens', () => {
  let knex: Knex;
  let prNumber = 0;
  const clients: McpClient[] = [];

  /** A ready storefront preview of a new pull request; its id. */
  const readyPreview = () =>
    seedPreview(knex, {
      entityRef: STOREFRONT,
      prNumber: ++prNumber,
      state: 'ready',
      url: `https://storefront-pr-${prNumber}.preview.test`,
    });

  async function connect(url: URL, token: string) {
    const client = await connectMcpClient(url, token);
    clients.push(client);
    return client;
  }

  const previewState = async (id: string) =>
    (await knex('previews').where({ id }).first()).state;
  const queuedBuilds = async (id: string) =>
    knex('jobs')
      .where({ key: `${BUILD_PREVIEW}:${id}`, state: 'queued' })
      .count({ n: '*' })
      .first()
      .then(row => Number(row!.n));
  const activityActors = async (previewId: string) =>
    (await knex('activity').where({ action: 'preview-redeploy' }))
      .filter(row => JSON.parse(row.details).previewId === previewId)
      .map(row => row.actor_ref);

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    await migrateUp(knex);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    for (const [name, role] of [
      ['dev', 'developer'],
      ['view', 'viewer'],
    ] as const) {
      await assignments.add({
        entityRef: STOREFRONT,
        subjectRef: `user:default/${name}`,
        role,
        createdBy: 'test',
      });
    }
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(c => c.close()));
  });

  /** Starts the backend and waits for its first project sync. */
  async function start(opshub?: Record<string, unknown>) {
    const mcp = await startMcpBackend({ databases, knex, opshub });
    await waitFor(
      async () =>
        Number((await knex('projects').count({ n: '*' }).first())?.n ?? 0) >= 2,
      { what: 'the project sync' },
    );
    return mcp;
  }

  describe('with no role for plugin:mcp-actions', () => {
    let mcp: Awaited<ReturnType<typeof startMcpBackend>>;
    beforeAll(async () => {
      mcp = await start();
    });
    afterAll(() => mcp.backend.stop());

    it("lists OpsHub's eight tools with their hints, to a signed-in user and to a static token", async () => {
      for (const token of [
        await mcp.userToken('dev'),
        await mcp.userToken('nobody'),
        STATIC_TOKENS.mcpAndOpsHub,
      ]) {
        const { tools } = await (await connect(mcp.mcpUrl, token)).listTools();
        const opshubTools = tools.filter(t => t.name.startsWith('opshub.'));
        expect(opshubTools.map(t => t.name).sort()).toEqual(
          Object.keys(TOOLS).sort(),
        );
        expect(
          opshubTools
            .filter(t => t.annotations?.readOnlyHint)
            .map(t => t.name)
            .sort(),
        ).toEqual(READ_ONLY_TOOLS.sort());
        expect(
          opshubTools
            .filter(t => t.annotations?.destructiveHint)
            .map(t => t.name),
        ).toEqual(['opshub.destroy-preview']);
      }
    });

    it('refuses a request without a token at the door', async () => {
      const res = await fetch(mcp.mcpUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status).toBe(401);
    });

    it("lets a developer list storefront's previews and redeploy one: queued, its build job waiting, the developer in the activity log", async () => {
      const previewId = await readyPreview();
      const dev = await connect(mcp.mcpUrl, await mcp.userToken('dev'));

      const list = await callTool(dev, 'opshub.list-previews', {
        entityRef: STOREFRONT,
      });
      expect(list.isError).toBe(false);
      expect(list.structured).toEqual({
        items: expect.arrayContaining([
          expect.objectContaining({ id: previewId, state: 'ready' }),
        ]),
      });

      const redeploy = await callTool(dev, 'opshub.redeploy-preview', {
        previewId,
      });
      expect(redeploy).toMatchObject({
        isError: false,
        structured: { id: previewId, state: 'queued' },
      });
      expect(await previewState(previewId)).toBe('queued');
      expect(await queuedBuilds(previewId)).toBe(1);
      expect(await activityActors(previewId)).toEqual(['user:default/dev']);
    });

    it('lets a viewer list previews and refuses them redeploy-preview, changing nothing', async () => {
      const previewId = await readyPreview();
      const viewer = await connect(mcp.mcpUrl, await mcp.userToken('view'));

      const list = await callTool(viewer, 'opshub.list-previews', {
        entityRef: STOREFRONT,
      });
      expect(list.isError).toBe(false);

      const redeploy = await callTool(viewer, 'opshub.redeploy-preview', {
        previewId,
      });
      expect(redeploy).toEqual({
        isError: true,
        text: 'NotAllowedError: Requires opshub.preview.manage',
        structured: undefined,
      });
      expect(await previewState(previewId)).toBe('ready');
      expect(await queuedBuilds(previewId)).toBe(0);
      expect(await activityActors(previewId)).toEqual([]);
    });

    it('refuses list-previews to a signed-in user with no role on storefront', async () => {
      const stranger = await connect(mcp.mcpUrl, await mcp.userToken('nobody'));
      expect(
        await callTool(stranger, 'opshub.list-previews', {
          entityRef: STOREFRONT,
        }),
      ).toEqual({
        isError: true,
        text: 'NotAllowedError: Requires opshub.preview.read',
        structured: undefined,
      });
    });

    it('refuses a static token every tool while plugin:mcp-actions has no role', async () => {
      const previewId = await readyPreview();
      const client = await connect(mcp.mcpUrl, STATIC_TOKENS.mcpAndOpsHub);
      const args = argumentsOf(previewId);
      for (const name of Object.keys(TOOLS) as ToolName[]) {
        const result = await callTool(client, name, args[name]);
        expect({ name, answer: result.text }).toEqual({
          name,
          answer: expect.stringMatching(REFUSED),
        });
        expect(result.isError).toBe(true);
      }
      expect(await previewState(previewId)).toBe('ready');
    });

    it('shows no OpsHub tool to a static token whose access restrictions leave out opshub, or narrow it', async () => {
      for (const token of [
        STATIC_TOKENS.mcpOnly,
        STATIC_TOKENS.narrowedOpsHub,
      ]) {
        const { tools } = await (await connect(mcp.mcpUrl, token)).listTools();
        expect(tools.filter(t => t.name.startsWith('opshub.'))).toEqual([]);
      }
    });
  });

  describe("with a role for a static token's subject", () => {
    let mcp: Awaited<ReturnType<typeof startMcpBackend>>;
    beforeAll(async () => {
      mcp = await start({
        rbac: { servicePrincipals: [{ subject: 'mcp-client', role: 'owner' }] },
      });
    });
    afterAll(() => mcp.backend.stop());

    it("lets the token call OpsHub's routes as its configured subject, as written", async () => {
      const deliveries = (token: string) =>
        fetch(`${mcp.opshubUrl}/webhooks/deliveries`, {
          headers: { Authorization: `Bearer ${token}` },
        });
      expect((await deliveries(STATIC_TOKENS.mcpAndOpsHub)).status).toBe(200);
      // Another static token: its own subject holds no role.
      expect((await deliveries(STATIC_TOKENS.anotherClient)).status).toBe(403);
    });
  });

  describe.each(OPSHUB_ROLES)(
    'with the role %s for plugin:mcp-actions',
    role => {
      let mcp: Awaited<ReturnType<typeof startMcpBackend>>;
      beforeAll(async () => {
        mcp = await start({
          rbac: {
            servicePrincipals: [{ subject: 'plugin:mcp-actions', role }],
          },
        });
      });
      afterAll(() => mcp.backend.stop());

      it(`allows a static token exactly the ${role}'s tools, as plugin:mcp-actions`, async () => {
        const previewId = await readyPreview();
        const client = await connect(mcp.mcpUrl, STATIC_TOKENS.mcpAndOpsHub);
        const args = argumentsOf(previewId);
        for (const name of Object.keys(TOOLS) as ToolName[]) {
          const result = await callTool(client, name, args[name]);
          const allowed = roleAtLeast(role, minimumRoleFor(TOOLS[name])!);
          // Allowed: an answer; refused: a tool error naming the error.
          expect({
            name,
            answer: result.isError ? result.text : 'answered',
          }).toEqual({
            name,
            answer: expect.stringMatching(allowed ? /^answered$/ : REFUSED),
          });
        }

        // Whichever static token calls, OpsHub sees plugin:mcp-actions: the
        // actor of what it changed.
        const mayChange = roleAtLeast(role, 'developer');
        const other = await readyPreview();
        const another = await connect(mcp.mcpUrl, STATIC_TOKENS.anotherClient);
        expect(
          (
            await callTool(another, 'opshub.redeploy-preview', {
              previewId: other,
            })
          ).isError,
        ).toBe(!mayChange);
        for (const id of [previewId, other]) {
          expect(await activityActors(id)).toEqual(
            mayChange ? ['plugin:mcp-actions'] : [],
          );
          expect(await previewState(id)).toBe(mayChange ? 'queued' : 'ready');
        }
      });
    },
  );
  it("probed none of the seeded previews' made-up hosts", async () => {
    // A probe would have asked DNS about *.preview.test and recorded a sample.
    expect(await knex('health_checks').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await knex('health_samples').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
