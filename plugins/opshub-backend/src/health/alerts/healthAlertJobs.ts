import type {
  OpsHubHealthErrorClass,
  OpsHubHealthState,
} from '@opshub/plugin-opshub-common';
import type { AlertKind } from './decideAlert';

/** The job that sends one alert decision (Slack, Backstage notification). */
export const HEALTH_ALERT_JOB = 'health-alert';

/**
 * One decided send: the check as it stood when it was decided, so the job
 * tells of that moment however late it runs, and reads nothing of it.
 */
export interface HealthAlertPayload {
  [key: string]: unknown;
  kind: AlertKind;
  checkId: string;
  checkName: string;
  entityRef: string;
  url: string;
  state: OpsHubHealthState;
  /** The check's current (or, for a recovery, last) incident; null: none. */
  incidentId: string | null;
  /** When that incident opened (ISO); null without one. */
  since: string | null;
  /** The last probe's error class and HTTP status. */
  errorClass: OpsHubHealthErrorClass | null;
  statusCode: number | null;
  /**
   * Why the last probe failed or was degraded, in words (the check's
   * lastErrorMessage); absent in jobs queued before it was kept.
   */
  errorMessage?: string | null;
  /** When it was decided (epoch ms). */
  atMs: number;
}

/** Each decided send is one job: deciding again never merges two. */
export const healthAlertKey = (payload: HealthAlertPayload) =>
  `${HEALTH_ALERT_JOB}:${payload.checkId}:${payload.kind}@${payload.atMs}`;

/** A check's alert jobs run one at a time, in the order they were decided. */
export const healthAlertGroup = (checkId: string) =>
  `${HEALTH_ALERT_JOB}:${checkId}`;
