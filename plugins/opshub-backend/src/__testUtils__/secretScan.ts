import {
  type AuditorService,
  coreServices,
  createServiceFactory,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { inspect } from 'node:util';

/**
 * What the secret scans (the env-var tests and the reliability bench's R6)
 * search for plaintexts: everything the backend logged, told the auditor
 * and stored, as text.
 */

/** A value as text, whatever it is (an Error with its stack). */
export function printable(value: unknown): string {
  if (value instanceof Error) return `${value.message} ${value.stack}`;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * A logger whose every line (arguments inspected whole, errors with their
 * stacks and causes) lands in `lines`.
 */
export function capturingLogger(lines: string[]): LoggerService {
  const write = (...args: unknown[]) =>
    void lines.push(
      args
        .map(arg =>
          inspect(arg, {
            depth: 8,
            maxArrayLength: Infinity,
            maxStringLength: Infinity,
          }),
        )
        .join(' '),
    );
  const logger: LoggerService = {
    error: write,
    warn: write,
    info: write,
    debug: write,
    child: () => logger,
  };
  return logger;
}

/** Service factories that make `logger` every plugin's logger and the root one. */
export function loggerFactories(logger: LoggerService) {
  return [
    createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => logger,
    }),
    createServiceFactory({
      service: coreServices.logger,
      deps: {},
      factory: () => logger,
    }),
  ];
}

/**
 * The auditor service writing each event, its outcome and its error as a
 * line of `lines` (no jest: the bench uses it too).
 */
export function capturingAuditorFactory(lines: string[]) {
  const auditor: AuditorService = {
    async createEvent(options) {
      lines.push(printable({ id: options.eventId, meta: options.meta }));
      return {
        async success(o) {
          lines.push(printable(o?.meta));
        },
        async fail(o) {
          lines.push(`${printable(o.error)} ${printable(o.meta)}`);
        },
      };
    },
  };
  return createServiceFactory({
    service: coreServices.auditor,
    deps: {},
    factory: () => auditor,
  });
}

/** The database's table names. */
export async function tableNames(knex: Knex): Promise<string[]> {
  return knex.client.config.client === 'pg'
    ? (
        await knex.raw(
          'select tablename as name from pg_tables where schemaname = current_schema()',
        )
      ).rows.map((r: { name: string }) => r.name)
    : (
        await knex.raw(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
        )
      ).map((r: { name: string }) => r.name);
}

/**
 * Every value of every column of every row of every table, as
 * `table.column=value` lines (binary decoded as text too), by table.
 */
export async function dumpTables(knex: Knex): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  for (const table of await tableNames(knex)) {
    const out: string[] = [];
    for (const row of await knex(table).select()) {
      for (const [column, value] of Object.entries(row)) {
        const text = Buffer.isBuffer(value)
          ? `${value.toString('utf8')} ${value.toString('latin1')}`
          : printable(value);
        out.push(`${table}.${column}=${text}`);
      }
    }
    dump.set(table, out.join('\n'));
  }
  return dump;
}
