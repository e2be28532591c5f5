import { createGroupCommit } from '../database/groupCommit';
import type {
  HealthStore,
  ProbeRecord,
  StoredHealthCheck,
} from './HealthStore';

/**
 * Probes finishing together are recorded together: one transaction for a
 * batch of samples, standings and incident changes. A probe's promise
 * settles once its batch committed.
 */
export function createProbeRecorder(
  store: HealthStore,
): (record: ProbeRecord) => Promise<void> {
  return createGroupCommit<ProbeRecord, void>({
    write: async records => {
      await store.recordProbes(records);
      return records.map(() => undefined);
    },
    maxInFlight: 1,
    maxGroupSize: 1_000,
  });
}

/** Checks asked for together (probe jobs claimed at once) are read in one query. */
export function createCheckLoader(
  store: HealthStore,
): (checkId: string) => Promise<StoredHealthCheck | undefined> {
  return createGroupCommit<string, StoredHealthCheck | undefined>({
    write: async ids => {
      const checks = await store.getChecksById([...new Set(ids)]);
      const byId = new Map(checks.map(check => [check.id, check]));
      return ids.map(id => byId.get(id));
    },
    maxInFlight: 4,
    maxGroupSize: 1_000,
  });
}
