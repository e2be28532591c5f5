/**
 * Wakes job queues when jobs may be due: on PostgreSQL, across instances
 * (LISTEN/NOTIFY).
 */
export interface JobWakeups {
  /** Calls `onWake` when another instance announces jobs of these types. */
  start(onWake: () => void, types: ReadonlySet<string>): void;
  /** Tells every instance that jobs of these types were enqueued (committed). */
  announce(types: Iterable<string>): void;
  stop(): Promise<void>;
}
