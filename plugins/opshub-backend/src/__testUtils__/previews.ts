import type { Knex } from 'knex';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import type { PreviewState } from '../previews/PreviewStore';

/**
 * A mock-provider preview of PR `prNumber` of `entityRef` in `state` (a
 * fork's when awaiting approval); returns its id.
 */
export async function seedPreview(
  knex: Knex,
  options: { entityRef: string; prNumber: number; state: PreviewState },
): Promise<string> {
  const { entityRef, prNumber, state } = options;
  const preview = await new DatabasePreviewStore(knex).recordHead({
    entityRef,
    prNumber,
    repository: 'acme/storefront',
    title: `Change ${prNumber}`,
    branch: `change-${prNumber}`,
    headSha: 'f'.repeat(40),
    author: 'octocat',
    fromFork: state === 'awaiting-approval',
    provider: 'mock',
    prUpdatedAt: new Date(),
    state: 'queued',
    ttlMs: 3600_000,
  });
  await knex('previews').where({ id: preview!.id }).update({ state });
  return preview!.id;
}
