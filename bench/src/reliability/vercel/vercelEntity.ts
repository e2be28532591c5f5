import { startFakeVercel } from '@opshub/plugin-opshub-backend-module-vercel/src/__fixtures__/fakeVercel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fake Vercel's default project, linked to this repository. */
export const VERCEL_REPOSITORY = 'acme/storefront';
const VERCEL_PROJECT = 'prj_storefront';

export type FakeVercel = Awaited<ReturnType<typeof startFakeVercel>>;

/**
 * The fake Vercel (in the bench's process: its deployments outlive any
 * backend process), each deployment READY at the first look `buildMs` or
 * more after OpsHub's first look at it (`0`: at the first look).
 */
export async function startBuildingVercel(options: {
  buildMs: number;
}): Promise<FakeVercel> {
  const vercel = await startFakeVercel();
  const firstLook = new Map<string, number>();
  vercel.route('GET /v13/deployments/:id', ({ params }) => {
    const deployment = vercel.deployments.get(params.id);
    if (!deployment) {
      return {
        status: 404,
        body: { error: { code: 'not_found', message: 'Deployment not found' } },
      };
    }
    const now = Date.now();
    if (!firstLook.has(params.id)) firstLook.set(params.id, now);
    if (
      deployment.readyState !== 'READY' &&
      now - firstLook.get(params.id)! >= options.buildMs
    ) {
      vercel.settle(params.id, 'READY');
    }
    return { body: vercel.deployments.get(params.id) };
  });
  return vercel;
}

/** The heads of every deployment created on the fake, once each time. */
export function createdHeads(vercel: FakeVercel): string[] {
  return vercel.requests
    .filter(r => r.method === 'POST' && r.path === '/v13/deployments')
    .map(r => (r.body as { gitSource: { sha: string } }).gitSource.sha);
}

/**
 * A catalog file in `dir` with one Component of VERCEL_REPOSITORY on the
 * Vercel provider (the fake's linked project), and the config (APP_CONFIG_*
 * variables) that makes it the backend's only catalog entity, approves its
 * binding and points the Vercel provider at `vercelUrl`.
 */
export function vercelEntityEnv(options: {
  dir: string;
  /** The Component's name (`component:default/<name>`). */
  name: string;
  vercelUrl: string;
}): Record<string, string> {
  const catalogFile = join(options.dir, `catalog-${options.name}.yaml`);
  writeFileSync(
    catalogFile,
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: options.name,
        annotations: {
          'github.com/project-slug': VERCEL_REPOSITORY,
          'opshub.dev/preview-provider': 'vercel',
          'vercel.com/project-id': VERCEL_PROJECT,
        },
      },
      spec: { type: 'website', lifecycle: 'experimental', owner: 'bench' },
    }),
  );
  return {
    APP_CONFIG_catalog_locations: JSON.stringify([
      { type: 'file', target: catalogFile },
    ]),
    APP_CONFIG_opshub_github_approvedBindings: JSON.stringify([
      {
        entityRef: `component:default/${options.name}`,
        repository: VERCEL_REPOSITORY,
      },
    ]),
    APP_CONFIG_opshub_providers_vercel_token: 'vercel-bench-token',
    APP_CONFIG_opshub_providers_vercel_apiBaseUrl: options.vercelUrl,
  };
}
