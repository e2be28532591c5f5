import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { percentile, round } from '../../lib/stats';

/** One flush: when it started (ms since the epoch) and how long it took. */
export interface Flush {
  at: number;
  ms: number;
}

/** Bytes written and flushed each time, as a WAL page or two. */
const PAGE = Buffer.alloc(8192, 1);
const EVERY_MS = 100;
/** Offsets cycle over this many pages, so the file stays small. */
const PAGES = 128;

/**
 * Times a small write and flush (fdatasync) every 100 ms in `dir`, on the
 * disk under PostgreSQL's data directory: a webhook delivery is answered
 * once its commit's WAL flush is done, and a flush that stalls there holds
 * every delivery in flight. Probes only when `dir` is on the same device as
 * the data directory (the server runs here; reading its setting needs a
 * superuser or `pg_read_all_settings`); otherwise says why not. The flushes
 * run on libuv's threads, never blocking the bench's own loop.
 */
export async function startFlushProbe(
  knex: Knex,
  dir: string,
): Promise<
  | { stop(): Promise<Flush[]>; why?: undefined }
  | { stop?: undefined; why: string }
> {
  try {
    const { rows } = await knex.raw(
      `SELECT current_setting('data_directory') AS dir`,
    );
    const [data, here] = await Promise.all([stat(rows[0].dir), stat(dir)]);
    if (data.dev !== here.dev) {
      return { why: 'the data directory is on another device' };
    }
  } catch (error) {
    return { why: `the data directory is out of reach (${error})` };
  }
  const file = await open(join(dir, 'flush-probe'), 'w');
  const flushes: Flush[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let page = 0; !stopped; page = (page + 1) % PAGES) {
      const at = performance.timeOrigin + performance.now();
      await file.write(PAGE, 0, PAGE.length, page * PAGE.length);
      const started = performance.now();
      await file.datasync();
      flushes.push({ at, ms: performance.now() - started });
      const wait = at + EVERY_MS - (performance.timeOrigin + performance.now());
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
    }
  })();
  let stopping: Promise<Flush[]> | undefined;
  return {
    /** Stops the probe (once, however often called) with its flushes. */
    stop() {
      stopped = true;
      stopping ??= loop.finally(() => file.close()).then(() => flushes);
      return stopping;
    },
  };
}

/**
 * The flushes, and how many of the answers slower than `slowMs` were in
 * flight while a flush slower than `slowMs` was: one line for the log.
 */
export function describeFlushes(
  flushes: Flush[],
  answers: Array<{ sentAt: number; ms: number }>,
  slowMs: number,
): string {
  const ms = flushes.map(f => f.ms);
  const slowFlushes = flushes.filter(f => f.ms > slowMs);
  const slowAnswers = answers.filter(a => a.ms > slowMs);
  const during = slowAnswers.filter(a =>
    slowFlushes.some(f => f.at < a.sentAt + a.ms && a.sentAt < f.at + f.ms),
  );
  return `disk flushes beside the database (8 KiB every ${EVERY_MS} ms): ${
    flushes.length
  }, p50 ${round(percentile(ms, 50))} ms, p99 ${round(
    percentile(ms, 99),
  )} ms, max ${round(Math.max(0, ...ms))} ms, ${
    slowFlushes.length
  } over ${slowMs} ms; answers over ${slowMs} ms: ${slowAnswers.length}, ${
    during.length
  } of them while such a flush was under way`;
}
