import { type ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { connect, PG_URL, waitUntil } from './postgres';

// yarn runs workspace scripts in bench/.
export const repoRoot = resolvePath(process.cwd(), '..');
export const nodeTransform = require.resolve(
  '@backstage/cli/config/nodeTransform.cjs',
);

/** Every process started here and still running. */
const running = new Set<ChildProcess>();
// Whatever ends the bench, no process it started outlives it.
process.on('exit', () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

export interface StartedProcess {
  child: ChildProcess;
  output(): string;
}

/**
 * Starts a process in its own group, so stopping it stops all it started.
 * With `ipc`, the bench and a Node child talk through `send` / `message`.
 */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; ipc?: boolean },
): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: options.ipc
      ? ['ignore', 'pipe', 'pipe', 'ipc']
      : ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  return { child, output: () => output };
}

/** Stops every process started here that is still running. */
export async function stopStartedProcesses(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
    return;
  }
  const exited = new Promise(resolve => child.on('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Drops the databases whose names start with `prefix`, but `keep`. */
export async function dropDatabases(prefix: string, keep: string[] = []) {
  const admin = connect(`${PG_URL}/postgres`, 1);
  try {
    const { rows } = await admin.raw(
      `SELECT datname FROM pg_database WHERE starts_with(datname, ?)`,
      [prefix],
    );
    for (const { datname } of rows) {
      if (keep.includes(datname)) continue;
      await admin.raw(`DROP DATABASE ?? WITH (FORCE)`, [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

/**
 * packages/backend's entry point as production runs it (no file watcher, no
 * --enable-source-maps, the TypeScript sources transpiled on load as
 * `backstage-cli` does) with app-config.yaml and a bench config on top, on
 * fresh plugin databases (those named `<databasePrefix>*` are dropped
 * first). Resolves once the backend answers its readiness check.
 */
export async function startBackend(options: {
  /** Relative to bench/, e.g. `app-config.bench.yaml`. */
  config: string;
  databasePrefix: string;
  /** Databases with the prefix that are not the backend's. */
  keepDatabases?: string[];
  /**
   * `false` keeps the databases with the prefix: a restart after a crash,
   * or a second instance on the first one's databases. Default true.
   */
  freshDatabases?: boolean;
  env?: Record<string, string>;
  url: string;
}): Promise<StartedProcess> {
  // Another run of a bench on this port would have its databases dropped
  // under it, and its backend would answer this one's readiness check.
  const taken = await fetch(`${options.url}/.backstage/health/v1/readiness`, {
    signal: AbortSignal.timeout(2_000),
  }).then(
    () => true,
    () => false,
  );
  if (taken) {
    throw new Error(
      `a server already answers on ${options.url} (another bench running?); nothing was dropped`,
    );
  }
  if (options.freshDatabases !== false) {
    await dropDatabases(options.databasePrefix, options.keepDatabases ?? []);
  }
  const backend = startProcess(
    process.execPath,
    [
      '--require',
      nodeTransform,
      'src/index',
      '--config',
      '../../app-config.yaml',
      '--config',
      `../../bench/${options.config}`,
    ],
    {
      cwd: resolvePath(repoRoot, 'packages/backend'),
      env: { LOG_LEVEL: 'warn', NODE_ENV: 'production', ...options.env },
    },
  );
  try {
    await waitUntil(
      () => {
        if (backend.child.exitCode !== null) {
          throw new Error(`exited with code ${backend.child.exitCode}`);
        }
        // A failed startup can leave the process running for a while.
        if (backend.output().includes('Backend startup failed')) {
          throw new Error('startup failed');
        }
        return fetch(`${options.url}/.backstage/health/v1/readiness`)
          .then(r => r.ok)
          .catch(() => false);
      },
      180_000,
      250,
    );
  } catch (error) {
    // A backend that never got ready is stopped here, its output shown.
    await stopProcess(backend.child);
    throw new Error(
      `the backend did not get ready: ${backend.output().slice(-4000)}`,
      {
        cause: error,
      },
    );
  }
  return backend;
}
