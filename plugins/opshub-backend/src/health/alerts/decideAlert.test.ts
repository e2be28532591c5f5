import type { OpsHubHealthState } from '@opshub/plugin-opshub-common';
import type { AlertBookkeeping } from '../HealthStore';
import {
  type AlertDecision,
  decideAlert,
  MAINTENANCE_RECHECK_MS,
} from './decideAlert';

const MIN = 60_000;
const HOUR = 60 * MIN;
const COOLDOWN = 15 * MIN;
const REMINDER = 4 * HOUR;
const T0 = Date.UTC(2026, 11, 1, 12, 0);

const NONE: AlertBookkeeping = {
  alertedState: null,
  lastAlertAtMs: null,
  lastNoticeAtMs: null,
  alertDueAtMs: null,
};

/**
 * One check on a fake clock, decided as evaluateDueAlerts does: at each
 * state change (a probe makes the check due) and at each due time it
 * asked for, with the bookkeeping carried from one decision to the next.
 */
function check(settings: { cooldownMs?: number; reminderMs?: number } = {}): {
  decide(
    state: OpsHubHealthState,
    atMs: number,
    options?: { inMaintenance?: boolean; alertsEnabled?: boolean },
  ): AlertDecision;
  readonly bookkeeping: AlertBookkeeping;
  readonly sent: string[];
} {
  let bookkeeping = NONE;
  const sent: string[] = [];
  return {
    decide(state, atMs, options = {}) {
      const decision = decideAlert({
        state,
        alertCooldownMs: settings.cooldownMs ?? COOLDOWN,
        reminderIntervalMs: settings.reminderMs ?? REMINDER,
        bookkeeping,
        inMaintenance: options.inMaintenance ?? false,
        alertsEnabled: options.alertsEnabled ?? true,
        nowMs: atMs,
      });
      bookkeeping = decision.bookkeeping;
      if (decision.send) {
        sent.push(
          `${decision.send.kind}:${decision.send.state}@+${(atMs - T0) / MIN}m`,
        );
      }
      return decision;
    },
    get bookkeeping() {
      return bookkeeping;
    },
    sent,
  };
}

describe('decideAlert', () => {
  it('alerts a check that goes bad at once, then reminds from then on', () => {
    const c = check();
    expect(c.decide('down', T0)).toEqual({
      send: { kind: 'alert', state: 'down' },
      bookkeeping: {
        alertedState: 'down',
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: T0 + REMINDER,
      },
    });
  });

  it('sends nothing for a check that is fine and was never alerted', () => {
    for (const state of ['ok', 'unknown'] as const) {
      expect(check().decide(state, T0)).toEqual({
        send: null,
        bookkeeping: NONE,
      });
    }
  });

  it('flapping inside the cooldown: one alert, one recovery, the deferred alert at its end', () => {
    const c = check();
    c.decide('down', T0);
    c.decide('ok', T0 + 2 * MIN);
    // Bad again within 15 min of the alert: deferred to the cooldown's end.
    expect(c.decide('down', T0 + 5 * MIN)).toEqual({
      send: null,
      bookkeeping: {
        alertedState: null,
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: T0 + COOLDOWN,
      },
    });
    c.decide('ok', T0 + 6 * MIN); // not alerted: no recovery
    c.decide('down', T0 + 7 * MIN);
    c.decide('down', T0 + COOLDOWN);
    expect(c.sent).toEqual([
      'alert:down@+0m',
      'recovery:ok@+2m',
      'alert:down@+15m',
    ]);
    expect(c.bookkeeping).toEqual({
      alertedState: 'down',
      lastAlertAtMs: T0 + COOLDOWN,
      lastNoticeAtMs: T0 + COOLDOWN,
      alertDueAtMs: T0 + COOLDOWN + REMINDER,
    });
  });

  it('a deferred alert goes nowhere once the check is fine again', () => {
    const c = check();
    c.decide('down', T0);
    c.decide('ok', T0 + MIN);
    c.decide('degraded', T0 + 2 * MIN);
    expect(c.decide('ok', T0 + 10 * MIN).bookkeeping.alertDueAtMs).toBeNull();
    expect(c.sent).toEqual(['alert:down@+0m', 'recovery:ok@+1m']);
  });

  it('the cooldown ends exactly cooldown ms after the last alert', () => {
    const c = check();
    c.decide('degraded', T0);
    c.decide('ok', T0 + MIN);
    expect(c.decide('degraded', T0 + COOLDOWN - 1).send).toBeNull();
    expect(c.decide('degraded', T0 + COOLDOWN).send).toEqual({
      kind: 'alert',
      state: 'degraded',
    });
  });

  it('a cooldown of 0 alerts every bad spell', () => {
    const c = check({ cooldownMs: 0 });
    c.decide('down', T0);
    c.decide('ok', T0 + MIN);
    c.decide('down', T0 + 2 * MIN);
    expect(c.sent).toEqual([
      'alert:down@+0m',
      'recovery:ok@+1m',
      'alert:down@+2m',
    ]);
  });

  it('escalates degraded → down at once, inside the cooldown, and restarts the reminders', () => {
    const c = check();
    c.decide('degraded', T0);
    expect(c.decide('down', T0 + MIN)).toEqual({
      send: { kind: 'escalation', state: 'down' },
      bookkeeping: {
        alertedState: 'down',
        lastAlertAtMs: T0 + MIN,
        lastNoticeAtMs: T0 + MIN,
        alertDueAtMs: T0 + MIN + REMINDER,
      },
    });
  });

  it('down → degraded is no alert; down again after it is no escalation', () => {
    const c = check();
    c.decide('down', T0);
    expect(c.decide('degraded', T0 + MIN)).toEqual({
      send: null,
      bookkeeping: {
        alertedState: 'down',
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: T0 + REMINDER,
      },
    });
    expect(c.decide('down', T0 + 2 * MIN).send).toBeNull();
    expect(c.sent).toEqual(['alert:down@+0m']);
  });

  it('a new spell after a degraded alert waits out the cooldown even when down', () => {
    const c = check();
    c.decide('degraded', T0);
    c.decide('ok', T0 + MIN);
    expect(c.decide('down', T0 + 2 * MIN).bookkeeping.alertDueAtMs).toBe(
      T0 + COOLDOWN,
    );
    c.decide('down', T0 + COOLDOWN);
    expect(c.sent).toEqual([
      'alert:degraded@+0m',
      'recovery:ok@+1m',
      'alert:down@+15m',
    ]);
  });

  it('reminds at exactly every reminder interval while bad, in its current state', () => {
    const c = check();
    c.decide('down', T0);
    c.decide('degraded', T0 + HOUR);
    expect(c.decide('degraded', T0 + REMINDER - 1)).toMatchObject({
      send: null,
      bookkeeping: { alertDueAtMs: T0 + REMINDER },
    });
    expect(c.decide('degraded', T0 + REMINDER)).toEqual({
      send: { kind: 'reminder', state: 'degraded' },
      bookkeeping: {
        alertedState: 'down',
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0 + REMINDER,
        alertDueAtMs: T0 + 2 * REMINDER,
      },
    });
    c.decide('degraded', T0 + 2 * REMINDER);
    expect(c.sent).toEqual([
      'alert:down@+0m',
      'reminder:degraded@+240m',
      'reminder:degraded@+480m',
    ]);
  });

  it('a late decision reminds once and counts the next from then', () => {
    const c = check();
    c.decide('down', T0);
    expect(c.decide('down', T0 + 3 * REMINDER).bookkeeping.alertDueAtMs).toBe(
      T0 + 4 * REMINDER,
    );
    expect(c.sent).toEqual(['alert:down@+0m', 'reminder:down@+720m']);
  });

  it('reminds from the escalation, not the first alert', () => {
    const c = check();
    c.decide('degraded', T0);
    c.decide('down', T0 + HOUR);
    expect(c.decide('down', T0 + REMINDER).send).toBeNull();
    expect(c.decide('down', T0 + HOUR + REMINDER).send).toEqual({
      kind: 'reminder',
      state: 'down',
    });
  });

  it('a reminder interval of 0 sends no reminders and asks for no decision', () => {
    const c = check({ reminderMs: 0 });
    expect(c.decide('down', T0).bookkeeping.alertDueAtMs).toBeNull();
    expect(c.decide('down', T0 + 100 * HOUR)).toEqual({
      send: null,
      bookkeeping: {
        alertedState: 'down',
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: null,
      },
    });
    c.decide('ok', T0 + 101 * HOUR);
    expect(c.sent).toEqual(['alert:down@+0m', 'recovery:ok@+6060m']);
  });

  it('recovers to unknown as to ok, only after an alert', () => {
    const c = check();
    c.decide('degraded', T0);
    expect(c.decide('unknown', T0 + MIN)).toEqual({
      send: { kind: 'recovery', state: 'unknown' },
      bookkeeping: {
        alertedState: null,
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: null,
      },
    });
    expect(c.decide('ok', T0 + 2 * MIN).send).toBeNull();
  });

  it('in a maintenance window: nothing sent, the spell forgotten, no recovery after it', () => {
    const c = check();
    c.decide('down', T0);
    expect(c.decide('down', T0 + HOUR, { inMaintenance: true })).toEqual({
      send: null,
      bookkeeping: {
        alertedState: null,
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: T0 + HOUR + MAINTENANCE_RECHECK_MS,
      },
    });
    // A reminder's time passes in the window: nothing.
    c.decide('down', T0 + REMINDER, { inMaintenance: true });
    // Fine again in the window: no recovery, nothing more to decide.
    expect(
      c.decide('ok', T0 + REMINDER + MIN, { inMaintenance: true }),
    ).toMatchObject({ send: null, bookkeeping: { alertDueAtMs: null } });
    c.decide('ok', T0 + REMINDER + 2 * MIN);
    expect(c.sent).toEqual(['alert:down@+0m']);
  });

  it('still bad when the window ends, the check alerts as a new spell', () => {
    const c = check();
    c.decide('degraded', T0, { inMaintenance: true });
    c.decide('degraded', T0 + MIN, { inMaintenance: true });
    c.decide('degraded', T0 + 2 * MIN);
    expect(c.sent).toEqual(['alert:degraded@+2m']);
  });

  it('the state `maintenance` sends nothing and forgets the spell', () => {
    const c = check();
    c.decide('down', T0);
    expect(c.decide('maintenance', T0 + MIN)).toEqual({
      send: null,
      bookkeeping: {
        alertedState: null,
        lastAlertAtMs: T0,
        lastNoticeAtMs: T0,
        alertDueAtMs: null,
      },
    });
    c.decide('ok', T0 + 2 * MIN);
    expect(c.sent).toEqual(['alert:down@+0m']);
  });

  it('with alerts off (a preview check) nothing is sent or decided again', () => {
    const c = check();
    for (const state of ['degraded', 'down', 'ok'] as const) {
      expect(c.decide(state, T0, { alertsEnabled: false })).toEqual({
        send: null,
        bookkeeping: NONE,
      });
    }
  });
});
