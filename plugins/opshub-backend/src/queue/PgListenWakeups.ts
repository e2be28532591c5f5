import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { Client, type ClientConfig } from 'pg';
import { pgClientConfig } from '../database/pgClientConfig';
import type { JobWakeups } from './wakeups';

export const JOBS_CHANNEL = 'opshub_jobs';

/**
 * LISTEN and NOTIFY on a dedicated connection outside the knex pool (a
 * pooled connection would be returned and reused). Enqueues are announced
 * after they commit, at most one NOTIFY per `announceWindowMs` naming the
 * job types of the window (a queue wakes only for the types it runs; an
 * empty payload wakes every queue), and never
 * inside the enqueueing transaction: a NOTIFY there would serialize the
 * commits of every concurrent webhook delivery on PostgreSQL's notify lock.
 * The connection commits asynchronously (a NOTIFY is a hint, polling is the
 * guarantee, so it need not wait for a WAL flush), runs one statement at a
 * time, and ignores its own notifications (this instance woke itself).
 * Reconnects with backoff; polling covers the gaps.
 */
export class PgListenWakeups implements JobWakeups {
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  /** The job types to announce at the end of the window; none: no window. */
  private readonly announcing = new Set<string>();
  /** The connection's statements, one at a time. */
  private statements: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connection: ClientConfig,
    private readonly logger: LoggerService,
    private readonly announceWindowMs = 10,
  ) {}

  static fromKnex(knex: Knex, logger: LoggerService): PgListenWakeups {
    return new PgListenWakeups(pgClientConfig(knex), logger);
  }

  start(onWake: () => void, types: ReadonlySet<string>): void {
    this.stopped = false;
    this.failures = 0;
    this.connect(onWake, types);
  }

  private connect(onWake: () => void, types: ReadonlySet<string>): void {
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
      this.retryTimer = setTimeout(() => this.connect(onWake, types), delay);
      this.retryTimer.unref();
    };
    client.on('error', retry);
    let ownPid: number | undefined;
    client.on('notification', message => {
      if (message.processId === ownPid) return;
      const announced = message.payload ? message.payload.split(',') : [];
      if (announced.length === 0 || announced.some(t => types.has(t))) {
        onWake();
      }
    });
    const setUp = async () => {
      await client.connect();
      await client.query('SET synchronous_commit TO off');
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pg_backend_pid() AS pid',
      );
      ownPid = rows[0].pid;
    };
    this.statements = setUp()
      .then(() => client.query(`LISTEN ${JOBS_CHANNEL}`))
      .then(() => {
        this.failures = 0;
        // Anything enqueued while we were not listening.
        onWake();
      })
      .catch(retry);
  }

  announce(types: Iterable<string>): void {
    const windowOpen = this.announcing.size > 0;
    for (const type of types) this.announcing.add(type);
    if (windowOpen || this.announcing.size === 0) return;
    setTimeout(() => {
      const payload = [...this.announcing].join(',');
      this.announcing.clear();
      const client = this.client;
      // Not connected: the other instances' polling finds the jobs.
      if (!client) return;
      this.statements = this.statements
        .then(() =>
          client.query('SELECT pg_notify($1, $2)', [JOBS_CHANNEL, payload]),
        )
        .catch(() => {});
    }, this.announceWindowMs).unref();
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
