import { probeHostOf } from './probeSchedule';

/**
 * At most `perHost` probes of one host (URL host and port) at once in this
 * instance; the others wait their turn in arrival order. A probe waiting
 * here holds its job (a worker of the health queue), never a host's slot.
 */
export function createHostLimiter(perHost: number) {
  const hosts = new Map<
    string,
    { running: number; waiting: Array<() => void> }
  >();

  async function acquire(host: string): Promise<void> {
    let entry = hosts.get(host);
    if (!entry) {
      entry = { running: 0, waiting: [] };
      hosts.set(host, entry);
    }
    if (entry.running < perHost) {
      entry.running += 1;
      return;
    }
    const queued = entry;
    await new Promise<void>(resolve => queued.waiting.push(resolve));
  }

  function release(host: string): void {
    const entry = hosts.get(host)!;
    const next = entry.waiting.shift();
    if (next) {
      next(); // the slot passes straight to the next in line
    } else if (--entry.running === 0) {
      hosts.delete(host);
    }
  }

  return {
    async run<T>(url: string, probe: () => Promise<T>): Promise<T> {
      const host = probeHostOf(url);
      await acquire(host);
      try {
        return await probe();
      } finally {
        release(host);
      }
    },
    /** Hosts with a probe running or waiting (for tests). */
    get busyHosts(): number {
      return hosts.size;
    },
  };
}

export type HostLimiter = ReturnType<typeof createHostLimiter>;
