import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import type { ServiceFactory } from '@backstage/backend-plugin-api';
import request from 'supertest';
import { startTestBackend } from '@backstage/backend-test-utils';
import { rbacBackendFeatures, type RbacBackendOptions } from './rbacBackend';

export { asService } from './rbacBackend';

/**
 * The RBAC test backend with Backstage's real actions registry and actions
 * service (not the test backend's mocks): OpsHub's actions are served and
 * invoked over the registry's own HTTP endpoints.
 */
export async function startActionsBackend(options: RbacBackendOptions) {
  const { server } = await startTestBackend({
    features: actionsBackendFeatures(options),
  });
  return server;
}

/** The features of `startActionsBackend`, for a caller that stops it itself. */
export function actionsBackendFeatures(options: RbacBackendOptions) {
  return rbacBackendFeatures({
    ...options,
    extra: [
      actionsRegistryServiceFactory,
      actionsServiceFactory,
      ...(options.extra ?? []),
    ] as ServiceFactory[],
  });
}

type Server = Parameters<typeof request>[0];

/** Invokes `opshub:<name>` through the registry's endpoint, as the actions service does. */
export function invokeAction(
  server: Server,
  name: string,
  input: Record<string, unknown>,
  headers: Record<string, string>,
) {
  return request(server)
    .post(`/api/opshub/.backstage/actions/v1/actions/opshub:${name}/invoke`)
    .set(headers)
    .send(input);
}

/** The actions the registry lists to a caller. */
export function listActions(server: Server, headers: Record<string, string>) {
  return request(server)
    .get('/api/opshub/.backstage/actions/v1/actions')
    .set(headers);
}
