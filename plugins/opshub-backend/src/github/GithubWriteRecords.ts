import type { Knex } from 'knex';

/** What OpsHub last wrote to GitHub for one preview. */
export interface GithubWriteRecord {
  statusKey: string | null;
  deploymentId: number | null;
  deploymentSha: string | null;
  deploymentState: string | null;
  commentId: number | null;
  commentKey: string | null;
}

const EMPTY: GithubWriteRecord = {
  statusKey: null,
  deploymentId: null,
  deploymentSha: null,
  deploymentState: null,
  commentId: null,
  commentKey: null,
};

const COLUMNS: Record<keyof GithubWriteRecord, string> = {
  statusKey: 'status_key',
  deploymentId: 'deployment_id',
  deploymentSha: 'deployment_sha',
  deploymentState: 'deployment_state',
  commentId: 'comment_id',
  commentKey: 'comment_key',
};

/** The `preview_github` table. */
export class GithubWriteRecords {
  constructor(private readonly knex: Knex) {}

  async get(previewId: string): Promise<GithubWriteRecord> {
    const row = await this.knex('preview_github')
      .where({ preview_id: previewId })
      .first();
    if (!row) return EMPTY;
    return {
      statusKey: row.status_key,
      deploymentId:
        row.deployment_id === null ? null : Number(row.deployment_id),
      deploymentSha: row.deployment_sha,
      deploymentState: row.deployment_state,
      commentId: row.comment_id === null ? null : Number(row.comment_id),
      commentKey: row.comment_key,
    };
  }

  /** Records what was just written (the other fields stay). */
  async save(
    previewId: string,
    written: Partial<GithubWriteRecord>,
  ): Promise<void> {
    const columns = Object.fromEntries(
      Object.entries(written).map(([key, value]) => [
        COLUMNS[key as keyof GithubWriteRecord],
        value,
      ]),
    );
    const row = { ...columns, updated_at: new Date() };
    await this.knex('preview_github')
      .insert({ preview_id: previewId, ...row })
      .onConflict('preview_id')
      .merge(row);
  }
}
