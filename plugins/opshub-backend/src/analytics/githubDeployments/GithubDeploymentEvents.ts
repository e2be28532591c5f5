import type { Knex } from 'knex';
import { toDate } from '../../database/timestamps';
import type { DeployPosition } from '../changes/DeployChangeSets';
import type { RecordDeploymentPayload } from './deploymentDeliveries';
import {
  applyDeploymentEvent,
  type GithubDeployState,
  type GithubFailureState,
  sameDeployState,
} from './deploymentState';
import {
  type DeployErrorClassifier,
  DeployErrorTaxonomy,
} from '../taxonomy/deployErrorTaxonomy';

type TimestampValue = Date | string | number;

/**
 * Told when a deploy became a succeeded one, stopped being one, or moved
 * (another finish): with the deploy's id and its earliest finish as a
 * succeeded one, so the change sets it and the next deploy depend on can
 * be computed again.
 */
export type SucceededChanged = (
  trx: Knex.Transaction,
  deploy: DeployPosition,
) => Promise<unknown>;

interface GithubDeployRow {
  id: string;
  queued_at: TimestampValue;
  started_at: TimestampValue | null;
  finished_at: TimestampValue | null;
  outcome: GithubDeployState['outcome'];
  error_code: GithubFailureState | null;
  url: string | null;
}

/**
 * Records GitHub deployments to production environments in deploy_events:
 * one row per entity and deployment (source and provider `github`,
 * environment class `production`), brought up to date by each of its
 * events (`deploymentState.ts`). A write happens only when the row
 * changes, and sets `updated_at`; a redelivered event changes nothing.
 */
export class GithubDeploymentEvents {
  private readonly errorClassifier: DeployErrorClassifier;
  private readonly now: () => Date;
  private readonly succeededChanged?: SucceededChanged;

  constructor(
    private readonly knex: Knex,
    options: {
      /** The plugin's error taxonomy; its built-in rows otherwise. */
      errorClassifier?: DeployErrorClassifier;
      now?: () => Date;
      /** Called in the write's transaction; see {@link SucceededChanged}. */
      succeededChanged?: SucceededChanged;
    } = {},
  ) {
    this.succeededChanged = options.succeededChanged;
    // GitHub's `failure` is a build failure, `error` unknown (built in).
    this.errorClassifier =
      options.errorClassifier ?? DeployErrorTaxonomy.withBuiltInCodes();
    this.now = options.now ?? (() => new Date());
  }

  /** Applies one event; whether the row changed. */
  async record(event: RecordDeploymentPayload): Promise<boolean> {
    return this.knex.transaction(async trx => {
      const where = {
        source: 'github',
        entity_ref: event.entityRef,
        deployment_id: event.deployment.id,
      };
      const row: GithubDeployRow | undefined = await trx('deploy_events')
        .where(where)
        .first(
          'id',
          'queued_at',
          'started_at',
          'finished_at',
          'outcome',
          'error_code',
          'url',
        )
        .modify(query => {
          if (trx.client.config.client === 'pg') query.forUpdate();
        });
      const before = row && toState(row);
      const after = applyDeploymentEvent(before, event);
      if (before && sameDeployState(before, after)) return false;

      const columns = {
        environment: event.deployment.environment,
        repository: event.repository,
        head_sha: event.deployment.sha,
        url: after.url,
        queued_at: after.queuedAt,
        started_at: after.startedAt,
        finished_at: after.finishedAt,
        outcome: after.outcome,
        error_code: after.errorCode,
        error_class: after.errorCode
          ? this.errorClassifier.classifyDeployError({
              provider: 'github',
              errorCode: after.errorCode,
            })
          : null,
        updated_at: this.now(),
      };
      let id = row?.id;
      if (id !== undefined) {
        await trx('deploy_events').where({ id }).update(columns);
      } else {
        const [inserted] = await trx('deploy_events')
          .insert({
            ...where,
            ...columns,
            environment_class: 'production',
            provider: 'github',
            pr_number: null,
            preview_id: null,
          })
          .returning('id');
        id = typeof inserted === 'object' ? inserted.id : inserted;
      }
      const finishes = [before, after].flatMap(state =>
        state?.outcome === 'succeeded' && state.finishedAt
          ? [state.finishedAt.getTime()]
          : [],
      );
      const moved =
        finishes.length === 1 ||
        (finishes.length === 2 && finishes[0] !== finishes[1]);
      if (this.succeededChanged && moved) {
        await this.succeededChanged(trx, {
          id: String(id),
          entityRef: event.entityRef,
          finishedAt: new Date(Math.min(...finishes)),
        });
      }
      return true;
    });
  }
}

function toState(row: GithubDeployRow): GithubDeployState {
  const optionalDate = (value: TimestampValue | null) =>
    value === null ? null : toDate(value);
  return {
    queuedAt: toDate(row.queued_at),
    startedAt: optionalDate(row.started_at),
    finishedAt: optionalDate(row.finished_at),
    outcome: row.outcome,
    errorCode: row.error_code,
    url: row.url,
  };
}
