import type { Knex } from 'knex';
import type { PreviewState } from '../../previews/PreviewStore';
import { type CheckRow, toCheck } from '../healthRows';
import type { StoredHealthCheck } from '../HealthStore';

/*
 * What the preview check sync reads: the preview checks with where their
 * previews stand, and the ready previews that have no check yet. Both read
 * the previews table beside health_checks, which neither store owns.
 */

/** A preview check and its preview (null: the preview row is gone). */
export interface WatchedPreview {
  check: StoredHealthCheck;
  preview: { state: PreviewState; url: string | null } | null;
}

/** A ready preview with a URL and no check. */
export interface UnwatchedPreview {
  previewId: string;
  entityRef: string;
  prNumber: number;
  url: string;
}

type WatchedRow = CheckRow & {
  preview_state: PreviewState | null;
  preview_url: string | null;
};

/** Every preview check, or the one of `previewId`. */
export async function listWatchedPreviews(
  knex: Knex,
  previewId?: string,
): Promise<WatchedPreview[]> {
  const query = knex('health_checks as c')
    .leftJoin('previews as p', 'p.id', 'c.preview_id')
    .where('c.source', 'preview')
    .select('c.*', { preview_state: 'p.state', preview_url: 'p.url' })
    .orderBy('c.id');
  if (previewId !== undefined) query.where('c.preview_id', previewId);
  const rows: WatchedRow[] = await query;
  return rows.map(row => ({
    check: toCheck(row),
    preview:
      row.preview_state === null
        ? null
        : { state: row.preview_state, url: row.preview_url },
  }));
}

/** Ready previews with a URL and no check: every one, or `previewId`. */
export async function listUnwatchedPreviews(
  knex: Knex,
  previewId?: string,
): Promise<UnwatchedPreview[]> {
  const query = knex('previews as p')
    .leftJoin('health_checks as c', 'c.preview_id', 'p.id')
    .where('p.state', 'ready')
    .whereNotNull('p.url')
    .whereNull('c.id')
    .select('p.id', 'p.entity_ref', 'p.pr_number', 'p.url')
    .orderBy('p.id');
  if (previewId !== undefined) query.where('p.id', previewId);
  const rows: Array<{
    id: number | string;
    entity_ref: string;
    pr_number: number | string;
    url: string;
  }> = await query;
  return rows.map(row => ({
    previewId: String(row.id),
    entityRef: row.entity_ref,
    prNumber: Number(row.pr_number),
    url: row.url,
  }));
}
