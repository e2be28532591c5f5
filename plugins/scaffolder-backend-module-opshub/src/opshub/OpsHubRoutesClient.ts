import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type { OpsHubActionDeps } from '../deps';

/**
 * OpsHub's own HTTP API, called on behalf of a task's initiator: OpsHub's
 * routes validate, authorize again and audit every write as theirs.
 */
export class OpsHubRoutesClient {
  constructor(
    private readonly deps: Pick<OpsHubActionDeps, 'auth' | 'discovery'>,
    private readonly credentials: BackstageCredentials,
  ) {}

  /**
   * The JSON answer of `method path`. A non-2xx answer throws a
   * ResponseError (its `statusCode` kept) whose message carries OpsHub's.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const [baseUrl, { token }] = await Promise.all([
      this.deps.discovery.getBaseUrl('opshub'),
      this.deps.auth.getPluginRequestToken({
        onBehalfOf: this.credentials,
        targetPluginId: 'opshub',
      }),
    ]);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      error.message = `OpsHub answered ${method} ${path} with ${error.statusCode}: ${error.cause.message}`;
      throw error;
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

/**
 * `<under>/:kind/:namespace/:name` of an entity ref, each part encoded:
 * `/entities/...` by default, `/org/bindings/...` for its binding.
 */
export function entityPath(entityRef: string, under = '/entities'): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return [under, ...[kind, namespace, name].map(encodeURIComponent)].join('/');
}

/** Whether OpsHub answered `error` with this status. */
export function isStatus(error: unknown, statusCode: number): boolean {
  return ResponseError.is(error) && error.statusCode === statusCode;
}
