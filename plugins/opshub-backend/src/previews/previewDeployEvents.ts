import type { Preview } from './PreviewStore';

/**
 * What every deploy event of a preview build carries: its entity, source,
 * environment (OpsHub's previews are the `preview` class) and where it was
 * built. `updated_at` is set by every write of deploy_events: the daily
 * deploy stats recompute the days of events changed since they last ran.
 */
export function previewDeployEventColumns(preview: Preview, now: Date) {
  return {
    entity_ref: preview.entityRef,
    environment: 'preview',
    environment_class: 'preview',
    source: 'preview',
    provider: preview.provider,
    repository: preview.repository,
    pr_number: preview.prNumber,
    preview_id: preview.id,
    updated_at: now,
  };
}

/** A preview's build outcome as a deploy event's (`ready` is `succeeded`). */
export const deployOutcomeOf = (outcome: 'ready' | 'failed') =>
  outcome === 'ready' ? 'succeeded' : 'failed';
