import { isOpenPreviewState } from '@opshub/plugin-opshub-common';
import {
  deployOutcomeOf,
  previewDeployEventColumns,
} from './previewDeployEvents';
import type { DeployErrorClass } from '@opshub/plugin-opshub-node';
import type { Knex } from 'knex';
import {
  type DeployErrorClassifier,
  DeployErrorTaxonomy,
  OPSHUB_DEPLOY_ERROR_CODES,
  OPSHUB_ERROR_CODE_PROVIDER,
} from '../analytics/taxonomy/deployErrorTaxonomy';
import { toDate } from '../database/timestamps';
import {
  type BuildFailure,
  type BuildOutcome,
  type BuildStart,
  LIVE_PREVIEW_STATES,
  OPEN_PREVIEW_STATES,
  type Preview,
  type PreviewHead,
  type PreviewState,
  type PreviewStore,
  type Teardown,
  type TeardownReason,
} from './PreviewStore';

/** Torn down for these reasons, a preview stays down on the same head. */
const STAYS_DOWN: TeardownReason[] = ['destroyed', 'expired'];

type Timestamp = Date | string | number;
type PreviewRow = {
  id: string | number;
  entity_ref: string;
  pr_number: number;
  repository: string;
  title: string;
  branch: string;
  head_sha: string;
  author: string;
  from_fork: boolean | number;
  provider: string;
  deployment_id: string | null;
  url: string | null;
  state: PreviewState;
  error_class: DeployErrorClass | null;
  error_message: string | null;
  approved_by: string | null;
  approved_sha: string | null;
  closed_as: 'merged' | 'closed' | null;
  teardown_reason: TeardownReason | null;
  build_number: number;
  env_var_count: number | null;
  env_pushed_at: Timestamp | null;
  pr_updated_at: Timestamp;
  last_push_at: Timestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export class DatabasePreviewStore implements PreviewStore {
  private readonly isPostgres: boolean;

  private readonly errorClassifier: DeployErrorClassifier;

  /**
   * A failure's stored class is the taxonomy's (`errorClassifier`, by
   * default OpsHub's built-in rows alone) for the preview's provider and
   * the failure's code, else the class it was reported with.
   */
  constructor(
    private readonly knex: Knex,
    options: { errorClassifier?: DeployErrorClassifier } = {},
  ) {
    this.isPostgres = knex.client.config.client === 'pg';
    this.errorClassifier =
      options.errorClassifier ?? DeployErrorTaxonomy.withBuiltInCodes();
  }

  async get(id: string): Promise<Preview | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.knex<PreviewRow>('previews').where({ id }).first();
    return row && toPreview(row);
  }

  async find(entityRef: string, prNumber: number) {
    const row = await this.knex<PreviewRow>('previews')
      .where({ entity_ref: entityRef, pr_number: prNumber })
      .first();
    return row && toPreview(row);
  }

  async countLive(entityRef: string, exceptPr: number): Promise<number> {
    const [{ count }] = await this.knex('previews')
      .where({ entity_ref: entityRef })
      .whereNot({ pr_number: exceptPr })
      .whereIn('state', LIVE_PREVIEW_STATES)
      .count({ count: '*' });
    return Number(count);
  }

  async refuse(
    previewId: string,
    headSha: string,
    failure: BuildFailure & { queuedAt: Date },
  ): Promise<boolean> {
    return this.knex.transaction(async trx => {
      const now = new Date();
      const message = failure.message.slice(0, 2000);
      const errorClass = await this.classOf(trx, previewId, failure);
      const changed = await trx('previews')
        .where({ id: previewId, head_sha: headSha, state: 'queued' })
        .update({
          state: 'failed',
          error_class: errorClass,
          error_message: message,
          updated_at: now,
        });
      if (changed === 0) return false;
      const preview = (await this.getIn(trx, previewId))!;
      // A deploy that never started still counts: its error class (quota,
      // configuration, provider-outage) is what the analytics group by.
      await trx('deploy_events').insert({
        ...previewDeployEventColumns(preview, now),
        head_sha: headSha,
        queued_at: failure.queuedAt,
        started_at: now,
        finished_at: now,
        outcome: 'failed',
        error_class: errorClass,
        error_code: failure.errorCode ?? null,
      });
      return true;
    });
  }

  async list(entityRef: string, limit: number): Promise<Preview[]> {
    const rows = await this.knex<PreviewRow>('previews')
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'updated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toPreview);
  }

  async requeue(
    trx: Knex.Transaction,
    previewId: string,
    from: PreviewState[],
    approval?: { by: string; sha: string },
  ): Promise<boolean> {
    const query = trx('previews')
      .where({ id: previewId })
      .whereIn('state', from);
    // Approved is the head the approver saw, not a push that came since.
    if (approval) query.where({ head_sha: approval.sha });
    const changed = await query.update({
      state: 'queued',
      build_number: trx.raw('build_number + 1'),
      deployment_id: null,
      url: null,
      error_class: null,
      error_message: null,
      teardown_reason: null,
      ...(approval
        ? { approved_by: approval.by, approved_sha: approval.sha }
        : {}),
      updated_at: new Date(),
    });
    return changed > 0;
  }

  async recordHead(
    trx: Knex.Transaction,
    head: PreviewHead,
  ): Promise<Preview | undefined> {
    const query = trx<PreviewRow>('previews')
      .where({ entity_ref: head.entityRef, pr_number: head.prNumber })
      .first();
    // PostgreSQL: two instances handling events of one PR take turns.
    const row = await (this.isPostgres ? query.forUpdate() : query);
    const now = new Date();
    const described = {
      repository: head.repository,
      title: head.title,
      branch: head.branch,
      author: head.author,
      from_fork: head.fromFork,
      provider: head.provider,
      pr_updated_at: head.prUpdatedAt,
      updated_at: now,
    };
    const newBuild = {
      head_sha: head.headSha,
      deployment_id: null,
      url: null,
      state: head.state,
      error_class: null,
      error_message: null,
      closed_as: null,
      teardown_reason: null,
      last_push_at: now,
      expires_at: new Date(now.getTime() + head.ttlMs),
    };
    if (!row) {
      // The PR closed before it had a preview: an event not newer is late.
      const close = await this.closeOf(trx, head.entityRef, head.prNumber);
      if (close && close.getTime() >= head.prUpdatedAt.getTime()) {
        return undefined;
      }
      // Reopened: the preview keeps the PR's stamps from now on.
      if (close) await closesOf(trx, head.entityRef, head.prNumber).delete();
      const [inserted] = await trx('previews')
        .insert({
          entity_ref: head.entityRef,
          pr_number: head.prNumber,
          ...described,
          ...newBuild,
          build_number: 1,
          created_at: now,
        })
        .returning('id');
      return this.getIn(trx, String(inserted.id ?? inserted));
    }
    const stored = toDate(row.pr_updated_at).getTime();
    const stamp = head.prUpdatedAt.getTime();
    // Older than what was applied; or the PR's close at the same stamp.
    if (stored > stamp || (stored === stamp && closedByPr(row))) {
      return undefined;
    }
    const id = String(row.id);
    const nextBuild = { build_number: trx.raw('build_number + 1') };
    if (row.head_sha !== head.headSha) {
      await trx('deploy_events')
        .where({ preview_id: id })
        .whereNull('outcome')
        .update({ outcome: 'superseded', finished_at: now, updated_at: now });
      await trx('previews')
        .where({ id })
        .update({ ...described, ...newBuild, ...nextBuild });
    } else if (
      !isOpenPreviewState(row.state) &&
      !STAYS_DOWN.includes(row.teardown_reason!)
    ) {
      // Reopened, or the skip label removed: it comes back.
      await trx('previews')
        .where({ id })
        .update({
          ...described,
          ...newBuild,
          ...nextBuild,
          last_push_at: row.last_push_at,
        });
    } else {
      await trx('previews').where({ id }).update(described);
    }
    return this.getIn(trx, id);
  }

  async recordClose(
    entityRef: string,
    prNumber: number,
    prUpdatedAt: Date,
  ): Promise<void> {
    await this.knex('pull_request_closes')
      .insert({
        entity_ref: entityRef,
        pr_number: prNumber,
        pr_updated_at: prUpdatedAt,
      })
      .onConflict(['entity_ref', 'pr_number'])
      .merge(['pr_updated_at'])
      .where('pull_request_closes.pr_updated_at', '<', prUpdatedAt);
  }

  async deleteClosesBefore(date: Date): Promise<number> {
    return this.knex('pull_request_closes')
      .where('pr_updated_at', '<', date)
      .delete();
  }

  /** The stamp of the PR's close recorded while it had no preview. */
  private async closeOf(
    trx: Knex.Transaction,
    entityRef: string,
    prNumber: number,
  ): Promise<Date | undefined> {
    const query = closesOf(trx, entityRef, prNumber).first('pr_updated_at');
    // PostgreSQL: a newer close of the PR waits for this event's turn.
    const row = await (this.isPostgres ? query.forUpdate() : query);
    return row ? toDate(row.pr_updated_at) : undefined;
  }

  async startBuild(trx: Knex.Transaction, build: BuildStart): Promise<boolean> {
    const now = new Date();
    const changed = await trx('previews')
      .where({
        id: build.previewId,
        head_sha: build.headSha,
        build_number: build.buildNumber,
        state: 'queued',
      })
      .update({
        state: 'building',
        deployment_id: build.deploymentId,
        url: build.url ?? null,
        updated_at: now,
      });
    if (changed === 0) return false;
    const preview = (await this.getIn(trx, build.previewId))!;
    await trx('deploy_events').insert({
      ...previewDeployEventColumns(preview, now),
      head_sha: build.headSha,
      deployment_id: build.deploymentId,
      queued_at: build.queuedAt,
      started_at: now,
    });
    return true;
  }

  async finishBuild(
    previewId: string,
    headSha: string,
    result: BuildOutcome,
  ): Promise<boolean> {
    return this.knex.transaction(async trx => {
      const now = new Date();
      const errorClass =
        result.outcome === 'failed'
          ? await this.classOf(trx, previewId, result)
          : null;
      const changed = await trx('previews')
        .where({ id: previewId, head_sha: headSha, state: 'building' })
        .update(
          result.outcome === 'ready'
            ? { state: 'ready', url: result.url, updated_at: now }
            : {
                state: 'failed',
                error_class: errorClass,
                error_message: result.message.slice(0, 2000),
                updated_at: now,
              },
        );
      if (changed === 0) return false;
      const open = trx('deploy_events')
        .where({ preview_id: previewId, head_sha: headSha })
        .whereNull('outcome');
      const started = await open.clone().first('id');
      if (started) {
        await trx('deploy_events')
          .where({ id: started.id })
          .update({
            outcome: deployOutcomeOf(result.outcome),
            finished_at: now,
            updated_at: now,
            error_class: errorClass,
            error_code:
              result.outcome === 'failed' ? result.errorCode ?? null : null,
          });
      }
      return true;
    });
  }

  async listExpired(now: Date, limit: number): Promise<Preview[]> {
    const rows = await this.knex<PreviewRow>('previews')
      .whereIn('state', OPEN_PREVIEW_STATES)
      .where('expires_at', '<', now)
      .orderBy('expires_at')
      .limit(limit);
    return rows.map(toPreview);
  }

  async beginTeardown(previewId: string, teardown: Teardown): Promise<boolean> {
    const { closedAs, expiredBy, prUpdatedAt, reason } = teardown;
    return this.knex.transaction(async trx => {
      const now = new Date();
      const applies = () => {
        const query = trx('previews').where({ id: previewId });
        if (prUpdatedAt) query.where('pr_updated_at', '<=', prUpdatedAt);
        return query;
      };
      const recorded = {
        ...(closedAs ? { closed_as: closedAs } : {}),
        ...(prUpdatedAt ? { pr_updated_at: prUpdatedAt } : {}),
        teardown_reason: reason,
        updated_at: now,
      };
      const query = applies().whereNotIn('state', ['destroyed', 'expired']);
      if (expiredBy) query.where('expires_at', '<', expiredBy);
      const changed = await query.update({ ...recorded, state: 'destroying' });
      if (changed === 0) {
        // Down already: a closing PR still records its stamp, so an older
        // event arriving later cannot bring the preview back.
        if (reason === 'pr-closed') {
          await applies()
            .whereIn('state', ['destroyed', 'expired'])
            .update(recorded);
        }
        return false;
      }
      await trx('deploy_events')
        .where({ preview_id: previewId })
        .whereNull('outcome')
        .update({
          outcome: 'cancelled',
          error_class: this.errorClassifier.classifyDeployError({
            provider: OPSHUB_ERROR_CODE_PROVIDER,
            errorCode: OPSHUB_DEPLOY_ERROR_CODES.teardownDuringBuild,
            reported: 'cancelled',
          }),
          error_code: OPSHUB_DEPLOY_ERROR_CODES.teardownDuringBuild,
          finished_at: now,
          updated_at: now,
        });
      return true;
    });
  }

  async finishTeardown(
    previewId: string,
    to: 'destroyed' | 'expired',
  ): Promise<boolean> {
    const changed = await this.knex('previews')
      .where({ id: previewId, state: 'destroying' })
      .update({ state: to, updated_at: new Date() });
    return changed > 0;
  }

  /** The taxonomy's class of a failure of the preview's provider. */
  private async classOf(
    trx: Knex.Transaction,
    previewId: string,
    failure: BuildFailure,
  ): Promise<DeployErrorClass> {
    const row = await trx<PreviewRow>('previews')
      .where({ id: previewId })
      .first('provider');
    return this.errorClassifier.classifyDeployError({
      provider: row?.provider ?? '',
      errorCode: failure.errorCode,
      reported: failure.errorClass,
    });
  }

  private async getIn(trx: Knex.Transaction, id: string) {
    const row = await trx<PreviewRow>('previews').where({ id }).first();
    return row && toPreview(row);
  }
}

function toPreview(row: PreviewRow): Preview {
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    prNumber: row.pr_number,
    repository: row.repository,
    title: row.title,
    branch: row.branch,
    headSha: row.head_sha,
    author: row.author,
    fromFork: Boolean(row.from_fork),
    provider: row.provider,
    deploymentId: row.deployment_id,
    url: row.url,
    state: row.state,
    errorClass: row.error_class,
    errorMessage: row.error_message,
    approvedBy: row.approved_by,
    approvedSha: row.approved_sha,
    closedAs: row.closed_as,
    teardownReason: row.teardown_reason,
    buildNumber: Number(row.build_number),
    envVarCount: row.env_var_count === null ? null : Number(row.env_var_count),
    envPushedAt: row.env_pushed_at === null ? null : toDate(row.env_pushed_at),
    prUpdatedAt: toDate(row.pr_updated_at),
    lastPushAt: toDate(row.last_push_at),
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function closesOf(trx: Knex.Transaction, entityRef: string, prNumber: number) {
  return trx('pull_request_closes').where({
    entity_ref: entityRef,
    pr_number: prNumber,
  });
}

/** Torn down because its PR closed (and not brought back since). */
function closedByPr(row: PreviewRow): boolean {
  return row.teardown_reason === 'pr-closed' && !isOpenPreviewState(row.state);
}
