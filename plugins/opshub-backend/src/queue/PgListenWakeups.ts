import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { Client, type ClientConfig } from 'pg';
import type { JobWakeups } from './wakeups';

export const JOBS_CHANNEL = 'opshub_jobs';

/**
 * LISTENs on a dedicated connection outside the knex pool (a pooled
 * connection would be returned and reused), so every instance on one
 * PostgreSQL hears the NOTIFY the jobs table's trigger sends on enqueue.
 * Reconnects with backoff; polling covers the gaps.
 */
export class PgListenWakeups implements JobWakeups {
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;

  constructor(
    private readonly connection: ClientConfig,
    private readonly logger: LoggerService,
  ) {}

  static fromKnex(knex: Knex, logger: LoggerService): PgListenWakeups {
    const settings = (knex.client as { connectionSettings: unknown })
      .connectionSettings;
    const config: ClientConfig =
      typeof settings === 'string'
        ? { connectionString: settings }
        : { ...(settings as ClientConfig) };
    return new PgListenWakeups(config, logger);
  }

  start(onWake: () => void): void {
    this.stopped = false;
    this.failures = 0;
    this.connect(onWake);
  }

  private connect(onWake: () => void): void {
    if (this.stopped) return;
    const client = new Client(this.connection);
    this.client = client;
    const retry = (error: unknown) => {
      client.removeAllListeners();
      client.end().catch(() => {});
      if (this.stopped) return;
      const delay = Math.min(30_000, 500 * 2 ** this.failures);
      this.failures += 1;
      this.logger.warn(
        `Job queue LISTEN connection failed (${error}); retrying in ${delay} ms, polling meanwhile`,
      );
      this.retryTimer = setTimeout(() => this.connect(onWake), delay);
      this.retryTimer.unref();
    };
    client.on('error', retry);
    client.on('notification', () => onWake());
    client
      .connect()
      .then(() => client.query(`LISTEN ${JOBS_CHANNEL}`))
      .then(() => {
        this.failures = 0;
        // Anything enqueued while we were not listening.
        onWake();
      })
      .catch(retry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
  }
}
