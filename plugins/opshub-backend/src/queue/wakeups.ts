/**
 * Wakes job queues when jobs may be due: on PostgreSQL, across instances
 * (LISTEN/NOTIFY).
 */
export interface JobWakeups {
  start(onWake: () => void): void;
  /** Tells every instance that jobs were enqueued (committed). */
  announce(): void;
  stop(): Promise<void>;
}
