import type { Knex } from 'knex';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import type { PreviewHead, PreviewState } from '../previews/PreviewStore';

/**
 * A mock-provider preview of PR `prNumber` of `entityRef` in `state` (a
 * fork's when awaiting approval); returns its id.
 */
export async function seedPreview(
  knex: Knex,
  options: {
    entityRef: string;
    prNumber: number;
    state: PreviewState;
    url?: string;
  } & Partial<Pick<PreviewHead, 'repository' | 'title' | 'headSha'>>,
): Promise<string> {
  const { entityRef, prNumber, state, url, ...head } = options;
  const previews = new DatabasePreviewStore(knex);
  const preview = await knex.transaction(trx =>
    previews.recordHead(trx, {
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
      ...head,
    }),
  );
  await knex('previews')
    .where({ id: preview!.id })
    .update({ state, url: url ?? null });
  return preview!.id;
}
