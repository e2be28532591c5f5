import { startRecordingGithub } from '../../lib/recordingGithub';
import {
  startBuildingVercel,
  VERCEL_REPOSITORY,
  vercelEntityEnv,
} from '../vercel/vercelEntity';
import {
  type HeldRequest,
  type Misbehaviour,
  type MisbehavingProxy,
  startMisbehavingProxy,
  weightedPicker,
} from './misbehavingProxy';

/** The row's Component, previewed on the fake Vercel's linked project. */
const ENTITY_NAME = 'r4-storefront';
export const REPOSITORY = VERCEL_REPOSITORY;

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
  const vercel = await startBuildingVercel({ buildMs: 0 });
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
  const env = {
    ...vercelEntityEnv({
      dir: options.dir,
      name: ENTITY_NAME,
      vercelUrl: proxies.vercel.url,
    }),
    APP_CONFIG_integrations: JSON.stringify({
      github: [
        { host: 'github.com', apiBaseUrl: proxies.github.url, token: 'bench' },
      ],
    }),
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
