import { startFakeVercel } from '@opshub/plugin-opshub-backend-module-vercel/src/__fixtures__/fakeVercel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRecordingGithub } from '../../lib/recordingGithub';
import {
  type HeldRequest,
  type Misbehaviour,
  type MisbehavingProxy,
  startMisbehavingProxy,
  weightedPicker,
} from './misbehavingProxy';

/** The row's Component, previewed on the fake Vercel's linked project. */
export const ENTITY_REF = 'component:default/r4-storefront';
/** The fake Vercel's default project is linked to this repository. */
export const REPOSITORY = 'acme/storefront';

/** Share of the fakes' answers of each kind. */
export const MIX: Record<Misbehaviour, number> = {
  pass: 0.62,
  'rate-limited': 0.08,
  'server-error': 0.08,
  'slow-body': 0.08,
  'endless-body': 0.07,
  'no-answer': 0.07,
};

/**
 * The fake Vercel (its deployments READY at the first look after their
 * creation) and the recording GitHub, each behind a misbehaving proxy with
 * the same mix, and the config (APP_CONFIG_* variables) that points the
 * backend at the proxies: the catalog file of the row's Component in `dir`
 * and its approved binding.
 */
export async function startMisbehavingWorld(options: {
  dir: string;
  seed: number;
  slowBodyMs: number;
}) {
  const vercel = await startFakeVercel();
  vercel.route('GET /v13/deployments/:id', ({ params }) => {
    const deployment = vercel.deployments.get(params.id);
    if (!deployment) {
      return {
        status: 404,
        body: { error: { code: 'not_found', message: 'Deployment not found' } },
      };
    }
    if (deployment.readyState !== 'READY') vercel.settle(params.id, 'READY');
    return { body: vercel.deployments.get(params.id) };
  });
  const github = await startRecordingGithub();
  const pick = weightedPicker(MIX, options.seed);
  const proxies = {
    vercel: await startMisbehavingProxy({
      upstream: vercel.url,
      pick,
      slowBodyMs: options.slowBodyMs,
    }),
    github: await startMisbehavingProxy({
      upstream: github.api.url,
      pick,
      slowBodyMs: options.slowBodyMs,
    }),
  };
  const catalogFile = join(options.dir, 'catalog-r4.yaml');
  writeFileSync(
    catalogFile,
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: ENTITY_REF.split('/')[1],
        annotations: {
          'github.com/project-slug': REPOSITORY,
          'opshub.dev/preview-provider': 'vercel',
          'vercel.com/project-id': 'prj_storefront',
        },
      },
      spec: { type: 'website', lifecycle: 'experimental', owner: 'bench' },
    }),
  );
  const env = {
    APP_CONFIG_catalog_locations: JSON.stringify([
      { type: 'file', target: catalogFile },
    ]),
    APP_CONFIG_opshub_github_approvedBindings: JSON.stringify([
      { entityRef: ENTITY_REF, repository: REPOSITORY },
    ]),
    APP_CONFIG_integrations: JSON.stringify({
      github: [
        { host: 'github.com', apiBaseUrl: proxies.github.url, token: 'bench' },
      ],
    }),
    APP_CONFIG_opshub_providers_vercel_apiBaseUrl: proxies.vercel.url,
  };
  return {
    env,
    proxies,
    /** Every request either proxy received. */
    requests: (): HeldRequest[] => [
      ...proxies.vercel.requests,
      ...proxies.github.requests,
    ],
    async close() {
      await Promise.all(
        Object.values(proxies).map((p: MisbehavingProxy) => p.close()),
      );
      await vercel.close();
      await github.api.close();
    },
  };
}
