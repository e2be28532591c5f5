import { readFile } from 'node:fs/promises';
import { percentile, round } from '../../lib/stats';
import { sampleEvery } from './sampleEvery';

/** One second of the machine's CPU time, as shares of all its cores. */
export interface CpuSecond {
  /** Running anything (user, system, interrupts), not idle or waiting. */
  busy: number;
  /**
   * Taken by the hypervisor for other guests while this machine wanted to
   * run (`steal`): cores it had on paper and did not get.
   */
  stolen: number;
}

const EVERY_MS = 1000;

/** `/proc/stat`'s first line: the jiffies of all cores by state. */
async function readTotals(): Promise<number[]> {
  const text = await readFile('/proc/stat', 'utf8');
  return text.split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
}

/** user nice system idle iowait irq softirq steal (guest time is in user). */
function secondOf(before: number[], after: number[]): CpuSecond {
  const d = after.map((value, i) => value - before[i]);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = d;
  const all = user + nice + system + idle + iowait + irq + softirq + steal;
  if (all <= 0) return { busy: 0, stolen: 0 };
  return {
    busy: (user + nice + system + irq + softirq) / all,
    stolen: steal / all,
  };
}

/**
 * Reads how busy the machine's cores are, and how much of them the host
 * takes away, every second until stopped: the row's processes share two
 * cores, and a core taken by the host slows every one of them at once.
 * Linux only; elsewhere says why not.
 */
export async function startCpuProbe(): Promise<
  | { stop(): Promise<CpuSecond[]>; why?: undefined }
  | { stop?: undefined; why: string }
> {
  try {
    await readTotals();
  } catch (error) {
    return { why: `/proc/stat is out of reach (${error})` };
  }
  const seconds: CpuSecond[] = [];
  let last: number[] | undefined;
  // The first sample only starts the count.
  const sampler = sampleEvery(EVERY_MS, async () => {
    const now = await readTotals();
    if (last) seconds.push(secondOf(last, now));
    last = now;
  });
  return {
    async stop() {
      await sampler.stop();
      return seconds;
    },
  };
}

/** The load's CPU seconds: one line for the log. */
export function describeCpu(seconds: CpuSecond[]): string {
  const percent = (share: number) => `${round(share * 100)} %`;
  const mean = (of: (s: CpuSecond) => number) =>
    seconds.reduce((sum, s) => sum + of(s), 0) / Math.max(1, seconds.length);
  const stolen = seconds.map(s => s.stolen);
  return `cores during the load (${
    seconds.length
  } s, shares of both): busy ${percent(
    mean(s => s.busy),
  )}, taken by the host (steal) ${percent(
    mean(s => s.stolen),
  )}, p90 of a second ${percent(
    percentile(stolen, 90),
  )}, the worst second ${percent(Math.max(0, ...stolen))}`;
}
