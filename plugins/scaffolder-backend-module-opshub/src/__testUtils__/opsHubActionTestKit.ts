import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/config';
import {
  AuthorizeResult,
  type Permission,
} from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  startFakeProviderApi,
  type FakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import type { OpsHubActionDeps } from '../deps';

/** Where the fake OpsHub's routes are mounted, as discovery hands it out. */
export const OPSHUB_API = '/api/opshub';

/**
 * OpsHub's HTTP API faked on loopback (every request recorded) and the
 * module's services pointed at it; `deny` names the permissions the
 * initiator lacks.
 */
export async function startOpsHubActionTestKit(config: JsonObject = {}) {
  const opshub: FakeProviderApi = await startFakeProviderApi();
  const denied = new Set<string>();
  const permissions = mockServices.permissions.mock({
    authorize: jest.fn(async (requests: Array<{ permission: Permission }>) =>
      requests.map(r => ({
        result: denied.has(r.permission.name)
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
      })),
    ) as any,
  });
  const deps: OpsHubActionDeps = {
    config: mockServices.rootConfig({ data: config }),
    permissions,
    logger: mockServices.logger.mock(),
    discovery: {
      getBaseUrl: async (pluginId: string) => `${opshub.url}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `${opshub.url}/api/${pluginId}`,
    },
    // Tokens name the user and target plugin: mockCredentials.service.token.
    auth: mockServices.auth(),
  };
  return {
    opshub,
    /** The header OpsHub sees: a token on behalf of the initiator. */
    initiatorAuthorization: mockCredentials.service.header({
      onBehalfOf: mockCredentials.user(),
      targetPluginId: 'opshub',
    }),
    deps,
    permissions,
    deny: (...names: string[]) => names.forEach(n => denied.add(n)),
    /** `METHOD path?query` of each request OpsHub received, in order. */
    calls: () =>
      opshub.requests.map(r => {
        const query = r.query.toString();
        return `${r.method} ${r.path}${query ? `?${query}` : ''}`;
      }),
  };
}

/**
 * A task step's context: the initiator `user:default/mock`, a logger whose
 * every line is kept, `isDryRun`, and checkpoints kept in `checkpoints`
 * (pass one task's map to a second run: a retry).
 */
export function taskContext<I>(
  input: I,
  options: {
    isDryRun?: boolean;
    checkpoints?: Map<string, unknown>;
  } = {},
) {
  const checkpoints = options.checkpoints ?? new Map();
  const logger = mockServices.logger.mock();
  const ctx = {
    ...createMockActionContext({ input: input as any, logger: logger as any }),
    isDryRun: options.isDryRun,
    async checkpoint<T>(opts: { key: string; fn: () => Promise<T> | T }) {
      if (checkpoints.has(opts.key)) return checkpoints.get(opts.key) as T;
      const value = await opts.fn();
      checkpoints.set(opts.key, value);
      return value;
    },
  };
  return {
    ctx: ctx as any,
    checkpoints,
    /** Everything logged and output, as one text. */
    written: () =>
      JSON.stringify([
        logger.info.mock.calls,
        logger.warn.mock.calls,
        logger.error.mock.calls,
        logger.debug.mock.calls,
        (ctx.output as jest.Mock).mock.calls,
      ]),
    outputs: () => Object.fromEntries((ctx.output as jest.Mock).mock.calls),
  };
}

/** A refusal as OpsHub's Backstage error handler sends it. */
export function opsHubError(status: number, name: string, message: string) {
  return {
    status,
    body: { error: { name, message }, response: { statusCode: status } },
  };
}
