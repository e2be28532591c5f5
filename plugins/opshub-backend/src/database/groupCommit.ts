export interface GroupCommitOptions<TItem, TResult> {
  /** Writes a group in one statement or transaction; one result per item, in order. */
  write(items: TItem[]): Promise<TResult[]>;
  /** Groups written at once; further items wait for one of them to finish. */
  maxInFlight: number;
  /** The most items one group holds. */
  maxGroupSize: number;
  /**
   * How long a group waits for more items before it is written (unless it
   * is full). Default 0: at once. Worth it where items come steadily and
   * each may wait a little (probe results: one transaction a fraction of a
   * second instead of one a probe).
   */
  lingerMs?: number;
}

/**
 * Group commit: items submitted while earlier groups are being written wait
 * and go to the database together, in one round trip and one commit. Alone,
 * an item is written at once (in the same turn of the event loop), so light
 * load sees no delay; under load the per-statement cost (parsing, planning,
 * the commit's WAL flush, the network round trip) is shared by the group.
 *
 * A group that fails is written again item by item, so a bad item fails
 * alone and never takes the others down with it.
 */
export function createGroupCommit<TItem, TResult>(
  options: GroupCommitOptions<TItem, TResult>,
): (item: TItem) => Promise<TResult> {
  type Waiting = {
    item: TItem;
    resolve(result: TResult): void;
    reject(error: unknown): void;
  };
  const waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  let lingering: NodeJS.Timeout | undefined;

  async function writeGroup(group: Waiting[]): Promise<void> {
    try {
      const results = await options.write(group.map(w => w.item));
      group.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      for (const w of group) await writeGroup([w]);
    }
  }

  function start(group: Waiting[]) {
    inFlight += 1;
    writeGroup(group).finally(() => {
      inFlight -= 1;
      schedule();
    });
  }

  function drain() {
    clearTimeout(lingering);
    lingering = undefined;
    scheduled = false;
    while (waiting.length > 0 && inFlight < options.maxInFlight) {
      start(waiting.splice(0, options.maxGroupSize));
    }
  }

  function schedule() {
    if (lingering && waiting.length >= options.maxGroupSize) {
      // A full group does not wait out the linger.
      clearTimeout(lingering);
      lingering = undefined;
      setImmediate(drain);
      return;
    }
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    const linger = options.lingerMs ?? 0;
    if (linger > 0 && waiting.length < options.maxGroupSize) {
      lingering = setTimeout(drain, linger);
    } else {
      // Items that arrive in the same turn of the event loop join one group.
      setImmediate(drain);
    }
  }

  return item =>
    new Promise<TResult>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (inFlight < options.maxInFlight) schedule();
    });
}
