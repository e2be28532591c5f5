import {
  type PreviewCheckSyncDeps,
  type PreviewCheckSyncResult,
  syncPreviewChecks,
} from './syncPreviewChecks';

export interface PreviewChecks {
  /** Syncs every preview's check (the schedule task). */
  syncAll(): Promise<PreviewCheckSyncResult>;
  /**
   * A preview changed (committed): its check follows at once, in the
   * background; the syncs of one preview run one after the other. A failed
   * one is logged, and the schedule repairs it. Nothing when preview checks
   * are off (the schedule deletes what is left).
   */
  previewChanged(previewId: string): void;
  /** Resolves once the syncs started so far have ended (tests, shutdown). */
  settled(): Promise<void>;
}

/** Preview checks kept in line with the previews, on a schedule and on changes. */
export function createPreviewChecks(deps: PreviewCheckSyncDeps): PreviewChecks {
  const tails = new Map<string, Promise<void>>();
  return {
    syncAll: () => syncPreviewChecks(deps),
    previewChanged(previewId) {
      if (!deps.config.enabled) return;
      const tail = (tails.get(previewId) ?? Promise.resolve())
        .then(() => syncPreviewChecks(deps, previewId))
        .then(
          () => undefined,
          error =>
            deps.logger.warn(
              `Could not sync the health check of preview ${previewId}: ${error}`,
            ),
        );
      tails.set(previewId, tail);
      void tail.then(() => {
        if (tails.get(previewId) === tail) tails.delete(previewId);
      });
    },
    async settled() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
