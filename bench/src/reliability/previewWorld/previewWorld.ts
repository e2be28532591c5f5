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

/**
 * R2's backend's port and databases (app-config.reliability.yaml); a row
 * that may run next to it takes its own.
 */
const DEFAULT_PORT = 7041;
const DEFAULT_DATABASE_PREFIX = 'opshub_bench_r23_';
/**
 * The repository of app-config.yaml's demo entity `storefront` (on the mock
 * provider), or of the entity a row's `env` puts in its place.
 */
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
  /** Stops the backend and the fakes, drops the databases. */
  stop(): Promise<void>;
}

/**
 * packages/backend on PostgreSQL (app-config.reliability.yaml) with the
 * recording fake GitHub and a fake Slack on loopback, the fakes kept across
 * restarts of the backend. `port` and `databasePrefix` (default 7041 and
 * `opshub_bench_r23_`) let rows run side by side; `env` (APP_CONFIG_…)
 * applies to every start, e.g. another provider for the entity.
 */
export async function startPreviewWorld(
  options: {
    port?: number;
    databasePrefix?: string;
    env?: Record<string, string>;
  } = {},
): Promise<PreviewWorld> {
  const port = options.port ?? DEFAULT_PORT;
  const url = `http://127.0.0.1:${port}`;
  const databasePrefix = options.databasePrefix ?? DEFAULT_DATABASE_PREFIX;
  const github = await startRecordingGithub();
  const slack = await startFakeSlack();
  let backend: StartedProcess | undefined;
  let db: Knex | undefined;

  const world: PreviewWorld = {
    url,
    github,
    slack,
    get db() {
      db ??= connect(`${PG_URL}/${databasePrefix}opshub`, 2);
      return db;
    },
    async start({ env = {}, freshDatabases = true }) {
      backend = await startBackend({
        config: 'app-config.reliability.yaml',
        databasePrefix,
        url,
        freshDatabases,
        env: {
          APP_CONFIG_backend_baseUrl: url,
          APP_CONFIG_backend_listen_port: String(port),
          APP_CONFIG_backend_database_prefix: databasePrefix,
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
          ...options.env,
          ...env,
        },
      });
      await trackingRepository(url);
    },
    async kill() {
      const child = backend!.child;
      // 'close': its output has been read to the end too.
      const closed = new Promise(resolve => child.once('close', resolve));
      process.kill(-child.pid!, 'SIGKILL');
      await closed;
    },
    async stop() {
      if (backend) await stopProcess(backend.child);
      await db?.destroy();
      await github.api.close();
      await slack.close();
      await dropDatabases(databasePrefix);
    },
  };
  return world;
}

/**
 * Resolves once the project sync has mapped the repository to its entity:
 * a `closed` event for a PR without a preview is then enqueued (and
 * changes nothing).
 */
async function trackingRepository(url: string) {
  await waitUntil(
    async () =>
      (
        await deliverPullRequest(url, {
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
