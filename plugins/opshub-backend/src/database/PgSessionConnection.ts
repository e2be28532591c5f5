import { Client, type ClientConfig } from 'pg';

/**
 * One PostgreSQL connection outside the knex pool, for a caller that runs
 * one statement at a time and runs it often (the job queue's claim loop,
 * webhook intake).
 * Statements are named, so PostgreSQL parses each once per connection; with
 * `plan_cache_mode` set to `force_generic_plan` it also plans each once
 * (every call otherwise pays for planning, about as much as for running a
 * claim). Connects on first use; after any error the connection is closed and
 * the next call opens a new one.
 */
export class PgSessionConnection {
  private client?: Promise<Client>;

  private readonly sessionSettings: string[];

  constructor(
    private readonly config: ClientConfig,
    /** `SET` statements to run once per connection (search path, role). */
    sessionSettings: string[] = [],
  ) {
    this.sessionSettings = [
      ...sessionSettings,
      'SET plan_cache_mode TO force_generic_plan',
    ];
  }

  /**
   * Runs a statement; a named one is parsed once per connection, an
   * unnamed one (`name` undefined: statements of many shapes) every time.
   */
  async query<T>(
    name: string | undefined,
    text: string,
    values: unknown[],
  ): Promise<T[]> {
    const pending = (this.client ??= this.open());
    try {
      const client = await pending;
      const statement = name === undefined ? { text } : { name, text };
      return (await client.query({ ...statement, values })).rows as T[];
    } catch (error) {
      this.discard(pending);
      throw error;
    }
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) await endQuietly(pending);
  }

  private open(): Promise<Client> {
    const client = new Client(this.config);
    const pending = (async () => {
      await client.connect();
      for (const setting of this.sessionSettings) await client.query(setting);
      return client;
    })();
    // A connection the server drops while idle is replaced on next use.
    client.on('error', () => this.discard(pending));
    return pending;
  }

  private discard(pending: Promise<Client> | undefined): void {
    if (!pending || this.client !== pending) return;
    this.client = undefined;
    endQuietly(pending);
  }
}

async function endQuietly(pending: Promise<Client>): Promise<void> {
  try {
    await (await pending).end();
  } catch {
    // Already closed, or never opened.
  }
}
