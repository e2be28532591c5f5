import type { PushedVariable } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';

/**
 * The `preview_env_pushes` table: what the provider holds of each preview's
 * pushed environment variables (its ids, never a value), handed back to
 * `PreviewProvider.syncEnvironment` as `pushed` so a later push updates or
 * removes only what OpsHub created. Also keeps the preview's
 * `env_var_count` and `env_pushed_at` for the Previews tab.
 */
export class PreviewEnvPushes {
  constructor(private readonly knex: Knex) {}

  /** What the last push of the preview returned. */
  async pushed(previewId: string): Promise<PushedVariable[]> {
    const rows = await this.knex('preview_env_pushes')
      .where({ preview_id: previewId })
      .orderBy('name')
      .select('name', 'provider_id', 'detail');
    return rows.map(row => ({
      name: row.name,
      providerId: row.provider_id,
      ...(row.detail === null || row.detail === undefined
        ? {}
        : { detail: row.detail }),
    }));
  }

  /**
   * Replaces the record with what the provider holds now; `count` is how
   * many variables the build is built with.
   */
  async record(
    previewId: string,
    pushed: PushedVariable[],
    count: number,
  ): Promise<void> {
    const pushedAt = new Date();
    await this.knex.transaction(async trx => {
      await trx('preview_env_pushes').where({ preview_id: previewId }).delete();
      if (pushed.length > 0) {
        await trx('preview_env_pushes').insert(
          pushed.map(p => ({
            preview_id: previewId,
            name: p.name,
            provider_id: p.providerId,
            detail: p.detail ?? null,
            pushed_at: pushedAt,
          })),
        );
      }
      await trx('previews')
        .where({ id: previewId })
        .update({ env_var_count: count, env_pushed_at: pushedAt });
    });
  }

  /** Built with none (nothing to push, or none pushed): keeps no record. */
  async recordNone(previewId: string): Promise<void> {
    await this.knex('previews')
      .where({ id: previewId })
      .update({ env_var_count: 0, env_pushed_at: null });
  }

  /** The provider holds none of them any more (teardown). */
  async clear(previewId: string): Promise<void> {
    await this.knex('preview_env_pushes')
      .where({ preview_id: previewId })
      .delete();
  }
}
