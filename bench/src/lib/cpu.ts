import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: ") S ppid ..."
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter(entry => /^\d+$/.test(entry))
    .map(Number)
    .filter(pid => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

/**
 * CPU seconds used so far by a server process and by all PostgreSQL
 * processes: sampled before and after a load run, the difference divided by
 * the requests served is the CPU each request cost on either side.
 */
export function cpuSnapshot(serverPid: number) {
  return {
    server: processCpuSeconds(serverPid),
    postgres: pidsNamed('postgres').reduce(
      (sum, pid) => sum + processCpuSeconds(pid),
      0,
    ),
  };
}

export type CpuSnapshot = ReturnType<typeof cpuSnapshot>;
