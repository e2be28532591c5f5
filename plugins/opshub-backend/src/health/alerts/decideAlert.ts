import type { OpsHubHealthState } from '@opshub/plugin-opshub-common';
import type { AlertBookkeeping } from '../HealthStore';

export const ALERT_KINDS = [
  'alert',
  'escalation',
  'reminder',
  'recovery',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * While a bad check is in a maintenance window its alerts are decided again
 * this often: still bad once the window ends, it alerts then.
 */
export const MAINTENANCE_RECHECK_MS = 60_000;

export interface AlertDecisionInput {
  /** The check's stored state. */
  state: OpsHubHealthState;
  alertCooldownMs: number;
  /** 0: no reminders. */
  reminderIntervalMs: number;
  bookkeeping: AlertBookkeeping;
  /** A maintenance window of the check is open now. */
  inMaintenance: boolean;
  /** False for preview checks unless `opshub.health.previews.alert`. */
  alertsEnabled: boolean;
  nowMs: number;
}

export interface AlertDecision {
  send: null | { kind: AlertKind; state: OpsHubHealthState };
  /** alertDueAtMs: when to decide again; null: when a probe changes something. */
  bookkeeping: AlertBookkeeping;
}

const isBad = (state: OpsHubHealthState): state is 'degraded' | 'down' =>
  state === 'degraded' || state === 'down';

/**
 * What to send about a check now, and its bookkeeping after. The backend
 * README's alert table states these rules; the tests walk every row:
 * - maintenance (a window open, or the state `maintenance`) or alerts off:
 *   nothing, and the spell is forgotten (alertedState null: no recovery
 *   follows it); a bad check in a window is decided again every minute;
 * - bad, not alerted in this spell: an alert once the cooldown since the
 *   last alert has passed, else decided again when it ends;
 * - alerted `degraded`, now `down`: an escalation at once;
 * - still bad, alerted: a reminder every reminderIntervalMs (0: none);
 * - `ok` or `unknown` after an alert: a recovery.
 * Alerts and escalations restart the cooldown and the reminders; reminders
 * restart the reminders.
 */
export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const { state, nowMs } = input;
  // Only the bookkeeping's own fields (the input may be a whole check).
  const bookkeeping: AlertBookkeeping = {
    alertedState: input.bookkeeping.alertedState,
    lastAlertAtMs: input.bookkeeping.lastAlertAtMs,
    lastNoticeAtMs: input.bookkeeping.lastNoticeAtMs,
    alertDueAtMs: input.bookkeeping.alertDueAtMs,
  };
  const reminderMs = input.reminderIntervalMs;
  const nextReminder = (fromMs: number) =>
    reminderMs > 0 ? fromMs + reminderMs : null;
  const alerted = (kind: 'alert' | 'escalation', to: 'degraded' | 'down') => ({
    send: { kind, state: to },
    bookkeeping: {
      alertedState: to,
      lastAlertAtMs: nowMs,
      lastNoticeAtMs: nowMs,
      alertDueAtMs: nextReminder(nowMs),
    },
  });

  if (!input.alertsEnabled || input.inMaintenance || state === 'maintenance') {
    const recheck =
      input.alertsEnabled && isBad(state)
        ? nowMs + MAINTENANCE_RECHECK_MS
        : null;
    return {
      send: null,
      bookkeeping: {
        ...bookkeeping,
        alertedState: null,
        alertDueAtMs: recheck,
      },
    };
  }

  if (!isBad(state)) {
    return {
      send: bookkeeping.alertedState ? { kind: 'recovery', state } : null,
      bookkeeping: { ...bookkeeping, alertedState: null, alertDueAtMs: null },
    };
  }

  if (bookkeeping.alertedState === null) {
    const cooldownEnd =
      bookkeeping.lastAlertAtMs === null
        ? nowMs
        : bookkeeping.lastAlertAtMs + input.alertCooldownMs;
    if (nowMs >= cooldownEnd) return alerted('alert', state);
    return {
      send: null,
      bookkeeping: { ...bookkeeping, alertDueAtMs: cooldownEnd },
    };
  }

  if (bookkeeping.alertedState === 'degraded' && state === 'down') {
    return alerted('escalation', state);
  }

  const lastNotice = bookkeeping.lastNoticeAtMs ?? nowMs;
  const reminderDue = nextReminder(lastNotice);
  if (reminderDue !== null && nowMs >= reminderDue) {
    return {
      send: { kind: 'reminder', state },
      bookkeeping: {
        ...bookkeeping,
        lastNoticeAtMs: nowMs,
        alertDueAtMs: nextReminder(nowMs),
      },
    };
  }
  return {
    send: null,
    bookkeeping: { ...bookkeeping, alertDueAtMs: reminderDue },
  };
}
