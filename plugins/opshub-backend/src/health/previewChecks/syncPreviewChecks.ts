import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { isOpenPreviewState } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { firstProbeAtMs, latestFirstProbeAtMs } from '../firstProbe';
import { CHECK_DEFAULTS, type HealthConfig } from '../healthConfig';
import type {
  HealthCheckChanges,
  HealthCheckDefinition,
  HealthStore,
  StoredHealthCheck,
} from '../HealthStore';
import type { AddressRefusal } from '../probe/types';
import {
  listUnwatchedPreviews,
  listWatchedPreviews,
  type UnwatchedPreview,
  type WatchedPreview,
} from './previewCheckRows';

/** Who `createdBy` says made a preview check. */
export const PREVIEW_CHECK_CREATOR = 'opshub:previews';

/** The name of the check of PR `prNumber`'s preview (one preview per PR). */
export const previewCheckName = (prNumber: number) => `preview-pr-${prNumber}`;

export interface PreviewCheckSyncDeps {
  knex: Knex;
  store: HealthStore;
  /** `opshub.health.previews`. */
  config: HealthConfig['previews'];
  policy: { refusalOfUrl(url: string): AddressRefusal };
  logger: LoggerService;
  /** Told for each entity whose checks changed (announced as a signal). */
  changed?(entityRef: string): void;
  now?: () => number;
}

export interface PreviewCheckSyncResult {
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Makes the preview checks match the previews (`opshub.health.previews`):
 * a preview that is ready with a URL has one check of that URL, named
 * `preview-pr-<n>`, probed every `previews.interval` with the defaults
 * otherwise. While the preview builds again (a push, a redeploy) or its
 * new build failed, its check is paused: the old deploy is being replaced,
 * and its history stays; ready again, the check resumes on the new URL. A
 * preview torn down (or gone) loses its check, with its samples and
 * incidents. Disabled, there are none: existing ones are deleted.
 *
 * `previewId` syncs that one preview (on its change); without it, all of
 * them (the schedule, which repairs what a crash left).
 */
export async function syncPreviewChecks(
  deps: PreviewCheckSyncDeps,
  previewId?: string,
): Promise<PreviewCheckSyncResult> {
  const { knex, store, config, logger } = deps;
  const now = deps.now ?? Date.now;
  const result: PreviewCheckSyncResult = { created: 0, updated: 0, deleted: 0 };
  const changed = (entityRef: string) => deps.changed?.(entityRef);

  for (const watched of await listWatchedPreviews(knex, previewId)) {
    const { check } = watched;
    const changes = config.enabled ? changesOf(watched) : 'delete';
    if (changes === 'delete') {
      if (await store.deleteCheck(check.entityRef, check.id)) {
        result.deleted++;
        changed(check.entityRef);
      }
    } else if (changes) {
      if (await store.updateCheck(check.entityRef, check.id, changes)) {
        result.updated++;
        changed(check.entityRef);
      }
    }
  }
  if (!config.enabled) return result;

  for (const preview of await listUnwatchedPreviews(knex, previewId)) {
    if (await create(preview)) {
      result.created++;
      changed(preview.entityRef);
    }
  }
  return result;

  /** Why the URL cannot be probed; null when it can. */
  function configErrorOf(url: string): string | null {
    const refusal = deps.policy.refusalOfUrl(url);
    return refusal ? `The preview URL is refused: ${refusal.rule}` : null;
  }

  /** What to change of a check for its preview; undefined: nothing. */
  function changesOf({
    check,
    preview,
  }: WatchedPreview): HealthCheckChanges | 'delete' | undefined {
    if (!preview || !isOpenPreviewState(preview.state)) return 'delete';
    if (preview.state !== 'ready' || preview.url === null) {
      return check.enabled
        ? { enabled: false, nextProbeAtMs: null }
        : undefined;
    }
    const url = preview.url;
    const configError = configErrorOf(url);
    if (
      check.enabled &&
      check.url === url &&
      check.intervalMs === config.intervalMs &&
      check.configError === configError
    ) {
      return undefined;
    }
    return {
      enabled: true,
      url,
      intervalMs: config.intervalMs,
      configError,
      nextProbeAtMs:
        configError === null
          ? firstProbeAtMs(check.id, config.intervalMs, now())
          : null,
    };
  }

  /** Creates the preview's check; false when one exists or its name is taken. */
  async function create(preview: UnwatchedPreview): Promise<boolean> {
    const definition: HealthCheckDefinition = {
      ...CHECK_DEFAULTS,
      name: previewCheckName(preview.prNumber),
      url: preview.url,
      intervalMs: config.intervalMs,
      bodyContains: null,
      jsonPath: null,
      degradedLatencyMs: null,
      enabled: true,
      headers: {},
      certExpiryDays: null,
    };
    const configError = configErrorOf(preview.url);
    const at = now();
    let created: StoredHealthCheck;
    try {
      created = await store.createCheck({
        ...definition,
        entityRef: preview.entityRef,
        source: 'preview',
        previewId: preview.previewId,
        configError,
        // The latest first-probe time until the id places it.
        nextProbeAtMs:
          configError === null
            ? latestFirstProbeAtMs(definition.intervalMs, at)
            : null,
        createdBy: PREVIEW_CHECK_CREATOR,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another sync of the same preview created it first.
      if ((await listWatchedPreviews(knex, preview.previewId)).length > 0) {
        return false;
      }
      logger.warn(
        `${preview.entityRef} has a health check named ${definition.name} made through the API: the preview of PR #${preview.prNumber} is not watched until that check is renamed or deleted`,
      );
      return false;
    }
    if (configError === null) {
      await store.updateCheck(preview.entityRef, created.id, {
        nextProbeAtMs: firstProbeAtMs(created.id, definition.intervalMs, at),
      });
    }
    return true;
  }
}
