import type {
  OpsHubHealthState,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nextStanding } from './healthStateMachine';
import type { IncidentChange } from './HealthStore';

/** The README's transition table, row by row. */
function readmeTransitionTable() {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const table = readme
    .split('<!-- transition-table:start -->')[1]
    ?.split('<!-- transition-table:end -->')[0];
  if (!table) throw new Error('The README has no transition table');
  return table
    .trim()
    .split('\n')
    .slice(2)
    .map(line => {
      const [thresholds, from, before, probe, to, incident] = line
        .split('|')
        .slice(1, -1)
        .map(cell => cell.trim());
      const [failureThreshold, recoveryThreshold] = thresholds
        .split('/')
        .map(Number);
      const [failures, bad, successes] = before.split('/').map(Number);
      return {
        line,
        thresholds: { failureThreshold, recoveryThreshold },
        current: {
          state: from as OpsHubHealthState,
          consecutiveFailures: failures,
          consecutiveBad: bad,
          consecutiveSuccesses: successes,
        },
        outcome: probe as OpsHubProbeOutcome,
        to: to as OpsHubHealthState,
        incident,
      };
    });
}

function describeIncident(change: IncidentChange): string {
  if (!change) return 'none';
  if (change.action === 'open') return `open ${change.state}`;
  return change.action;
}

describe('nextStanding', () => {
  const rows = readmeTransitionTable();

  it('has a table that covers every state and outcome', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    const pairs = new Set(rows.map(r => `${r.current.state}:${r.outcome}`));
    for (const state of ['unknown', 'ok', 'degraded', 'down']) {
      for (const outcome of ['success', 'degraded', 'failure']) {
        expect(pairs).toContain(`${state}:${outcome}`);
      }
    }
    const moves = new Set(rows.map(r => `${r.current.state}->${r.to}`));
    for (const move of [
      'unknown->ok',
      'unknown->degraded',
      'unknown->down',
      'ok->degraded',
      'ok->down',
      'degraded->ok',
      'degraded->down',
      'down->ok',
      'down->degraded',
    ]) {
      expect(moves).toContain(move);
    }
  });

  it.each(rows.map(r => [r.line, r]))('%s', (_line, row) => {
    const errorClass = row.outcome === 'failure' ? 'connect' : null;
    const { standing, incident } = nextStanding(
      row.current,
      { outcome: row.outcome, errorClass },
      row.thresholds,
    );
    expect(standing.state).toBe(row.to);
    expect(describeIncident(incident)).toBe(row.incident);
    // An incident opened by a failure carries its error class.
    expect(incident?.action === 'open' ? incident.errorClass : errorClass).toBe(
      errorClass,
    );
  });

  it('counts runs: a success resets the failure and bad runs, a failure the success run', () => {
    const thresholds = { failureThreshold: 3, recoveryThreshold: 2 };
    let standing = {
      state: 'ok' as OpsHubHealthState,
      consecutiveFailures: 0,
      consecutiveBad: 0,
      consecutiveSuccesses: 4,
    };
    const states: OpsHubHealthState[] = [];
    const outcomes: OpsHubProbeOutcome[] = [
      'failure',
      'degraded',
      'failure',
      'success',
      'failure',
      'failure',
      'failure',
      'success',
      'degraded',
      'success',
      'success',
    ];
    for (const outcome of outcomes) {
      standing = nextStanding(
        standing,
        { outcome, errorClass: outcome === 'failure' ? 'status' : null },
        thresholds,
      ).standing;
      states.push(standing.state);
    }
    expect(states).toEqual([
      'ok',
      'ok',
      'degraded', // three bad in a row, only two of them failures
      'degraded',
      'degraded',
      'degraded',
      'down',
      'down',
      'down',
      'down',
      'ok',
    ]);
  });
});
