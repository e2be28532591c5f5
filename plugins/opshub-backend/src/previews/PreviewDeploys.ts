import type { Knex } from 'knex';

/** A deploy OpsHub started, or meant to, for one build of a preview. */
export interface PreviewDeploy {
  id: string;
  previewId: string;
  buildNumber: number;
  headSha: string;
  provider: string;
  /** Null while only the intent is recorded (the answer may have been lost). */
  deploymentId: string | null;
  state: 'intended' | 'created' | 'destroyed';
}

type Row = {
  id: string | number;
  preview_id: string | number;
  build_number: number;
  head_sha: string;
  provider: string;
  deployment_id: string | null;
  state: PreviewDeploy['state'];
};

/**
 * The `preview_deploys` table: every deploy OpsHub asks a provider for is
 * recorded as an intent first, so none is ever unknown to OpsHub.
 */
export class PreviewDeploys {
  constructor(private readonly knex: Knex) {}

  /**
   * Records the intent to deploy build `buildNumber` of a preview; `repeated`
   * when an earlier attempt recorded it already (and may have created it).
   */
  async intend(
    trx: Knex.Transaction,
    build: Pick<
      PreviewDeploy,
      'previewId' | 'buildNumber' | 'headSha' | 'provider'
    >,
  ): Promise<{ deploy: PreviewDeploy; repeated: boolean }> {
    const now = new Date();
    const inserted = await trx('preview_deploys')
      .insert({
        preview_id: build.previewId,
        build_number: build.buildNumber,
        head_sha: build.headSha,
        provider: build.provider,
        state: 'intended',
        created_at: now,
        updated_at: now,
      })
      .onConflict(['preview_id', 'build_number'])
      .ignore()
      .returning('id');
    const row = await trx<Row>('preview_deploys')
      .where({ preview_id: build.previewId, build_number: build.buildNumber })
      .first();
    return { deploy: toDeploy(row!), repeated: inserted.length === 0 };
  }

  /** The provider's answer to an intent. */
  async created(
    trx: Knex.Transaction,
    id: string,
    deploymentId: string,
  ): Promise<void> {
    await trx('preview_deploys').where({ id }).update({
      deployment_id: deploymentId,
      state: 'created',
      updated_at: new Date(),
    });
  }

  async get(id: string): Promise<PreviewDeploy | undefined> {
    const row = await this.knex<Row>('preview_deploys').where({ id }).first();
    return row && toDeploy(row);
  }

  /** A preview's deploys not known to be destroyed, oldest first. */
  async standing(
    previewId: string,
    trx: Knex | Knex.Transaction = this.knex,
  ): Promise<PreviewDeploy[]> {
    const rows = await trx<Row>('preview_deploys')
      .where({ preview_id: previewId })
      .whereNot({ state: 'destroyed' })
      .orderBy('id');
    return rows.map(toDeploy);
  }

  /** The provider ids of all of a preview's recorded deploys. */
  async deploymentIds(previewId: string): Promise<Set<string>> {
    const rows = await this.knex('preview_deploys')
      .where({ preview_id: previewId })
      .whereNotNull('deployment_id')
      .select('deployment_id');
    return new Set(rows.map(row => String(row.deployment_id)));
  }

  async destroyed(id: string): Promise<void> {
    await this.knex('preview_deploys')
      .where({ id })
      .update({ state: 'destroyed', updated_at: new Date() });
  }
}

function toDeploy(row: Row): PreviewDeploy {
  return {
    id: String(row.id),
    previewId: String(row.preview_id),
    buildNumber: Number(row.build_number),
    headSha: row.head_sha,
    provider: row.provider,
    deploymentId: row.deployment_id,
    state: row.state,
  };
}
