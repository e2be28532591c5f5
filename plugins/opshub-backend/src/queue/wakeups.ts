/** Wakes the job queue when jobs may be due (e.g. PostgreSQL NOTIFY). */
export interface JobWakeups {
  start(onWake: () => void): void;
  stop(): Promise<void>;
}
