import { startFakeSlack } from '@opshub/plugin-opshub-node/testUtils';
import type { Knex } from 'knex';
import {
  dropDatabases,
  startBackend,
  type StartedProcess,
  stopProcess,
} from '../../lib/processes';
import { connect, PG_URL, waitUntil } from '../../lib/postgres';
import { deliverPullRequest, headShaOf } from '../../lib/pullRequestDeliveries';
import {
  type RecordingGithub,
  startRecordingGithub,
} from '../../lib/recordingGithub';

/** R2's and R3's backend: its own port (app-config.reliability.yaml). */
export const WORLD_URL = 'http://127.0.0.1:7041';
const DATABASE_PREFIX = 'opshub_bench_r23_';
/** The demo entity of app-config.yaml, on the mock provider. */
export const WORLD_REPOSITORY = 'acme/storefront';
/** The rows' PRs are numbered from here on; the readiness probe's is 1. */
export const FIRST_PR = 10_000;

export interface PreviewWorld {
  url: string;
  github: RecordingGithub;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  /** OpsHub's database (a small pool), for counting. */
  db: Knex;
  /**
   * Starts the backend (fresh databases unless `freshDatabases: false`,
   * a restart) and resolves once it maps the repository to its entity.
   * `env` adds the row's settings (APP_CONFIG_…).
   */
  start(options: {
    env?: Record<string, string>;
    freshDatabases?: boolean;
  }): Promise<void>;
  /**
   * SIGKILL of the backend's process group; resolves once it is gone and
   * its output read.
   */
  kill(): Promise<void>;
  /** Heads the mock provider created a deploy for, each time, all runs. */
  creates(): string[];
  /** Stops the backend and the fakes, drops the databases. */
  stop(): Promise<void>;
}

/**
 * packages/backend on PostgreSQL (app-config.reliability.yaml) with the
 * recording fake GitHub and a fake Slack on loopback, the fakes kept across
 * restarts of the backend.
 */
export async function startPreviewWorld(): Promise<PreviewWorld> {
  const github = await startRecordingGithub();
  const slack = await startFakeSlack();
  let backend: StartedProcess | undefined;
  let db: Knex | undefined;
  /** The output of every backend process started, the current one last. */
  const outputs: Array<() => string> = [];

  const world: PreviewWorld = {
    url: WORLD_URL,
    github,
    slack,
    get db() {
      db ??= connect(`${PG_URL}/${DATABASE_PREFIX}opshub`, 2);
      return db;
    },
    async start({ env = {}, freshDatabases = true }) {
      backend = await startBackend({
        config: 'app-config.reliability.yaml',
        databasePrefix: DATABASE_PREFIX,
        url: WORLD_URL,
        freshDatabases,
        env: {
          APP_CONFIG_integrations: JSON.stringify({
            github: [
              {
                host: 'github.com',
                apiBaseUrl: github.api.url,
                token: 'bench',
              },
            ],
          }),
          APP_CONFIG_opshub_slack_apiUrl: slack.url,
          ...env,
        },
      });
      outputs.push(backend.output);
      await trackingRepository();
    },
    async kill() {
      const child = backend!.child;
      // 'close': its output has been read to the end too.
      const closed = new Promise(resolve => child.once('close', resolve));
      process.kill(-child.pid!, 'SIGKILL');
      await closed;
    },
    creates() {
      return outputs.flatMap(output => createdHeads(output()));
    },
    async stop() {
      if (backend) await stopProcess(backend.child);
      await db?.destroy();
      await github.api.close();
      await slack.close();
      await dropDatabases(DATABASE_PREFIX);
    },
  };
  return world;
}

/**
 * Resolves once the project sync has mapped the repository to its entity:
 * a `closed` event for a PR without a preview is then enqueued (and
 * changes nothing).
 */
async function trackingRepository() {
  await waitUntil(
    async () =>
      (
        await deliverPullRequest(WORLD_URL, {
          action: 'closed',
          number: 1,
          headSha: headShaOf('probe', Date.now()),
          repository: WORLD_REPOSITORY,
          deliveryId: `bench-r23-probe-${Date.now()}`,
        })
      ).outcome === 'enqueued',
    120_000,
    500,
  );
}

/**
 * The heads of the mock provider's `create` log lines (JSON in
 * production); `unknown` for a line the kill cut before its head.
 */
function createdHeads(output: string): string[] {
  return output
    .split('\n')
    .filter(line => line.includes('"mockPreviewProvider":"create"'))
    .map(line => /"headSha":"(\w+)"/.exec(line)?.[1] ?? 'unknown');
}
