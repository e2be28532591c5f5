import type {
  OpsHubDeployEnvironmentClass,
  OpsHubDeployErrorClass,
  OpsHubDeployEvent,
  OpsHubDeployOutcome,
} from '@opshub/plugin-opshub-common';
import { toDate } from '../../database/timestamps';

type Timestamp = Date | string | number;

/** A deploy_events row as the databases return it. */
export interface DeployEventRow {
  id: string | number;
  entity_ref: string;
  environment: string;
  environment_class: string;
  source: string;
  provider: string;
  repository: string | null;
  head_sha: string;
  pr_number: number | null;
  preview_id: string | number | null;
  url: string | null;
  outcome: string | null;
  error_class: string | null;
  error_code: string | null;
  queued_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

const orNull = (value: Timestamp | null) =>
  value === null ? null : toDate(value);
const between = (from: Date | null, to: Date | null) =>
  from && to ? to.getTime() - from.getTime() : null;

/** A deploy as the API shows it, with its queue, build and total time. */
export function toDeployEvent(row: DeployEventRow): OpsHubDeployEvent {
  const queued = toDate(row.queued_at);
  const started = orNull(row.started_at);
  const finished = orNull(row.finished_at);
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    environment: row.environment,
    environmentClass: row.environment_class as OpsHubDeployEnvironmentClass,
    source: row.source as OpsHubDeployEvent['source'],
    provider: row.provider,
    repository: row.repository,
    headSha: row.head_sha,
    prNumber: row.pr_number === null ? null : Number(row.pr_number),
    previewId: row.preview_id === null ? null : String(row.preview_id),
    url: row.url,
    outcome: row.outcome as OpsHubDeployOutcome | null,
    errorClass: row.error_class as OpsHubDeployErrorClass | null,
    errorCode: row.error_code,
    queuedAt: queued.toISOString(),
    startedAt: started?.toISOString() ?? null,
    finishedAt: finished?.toISOString() ?? null,
    queueTimeMs: between(queued, started),
    buildTimeMs: between(started, finished),
    totalTimeMs: between(queued, finished),
  };
}
