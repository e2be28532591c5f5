import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { aggregateDays } from './aggregateDays';
import {
  type DeployEventFixture,
  insertDeployEvents,
  MINUTE,
  SECOND,
} from './__testUtils__/deployEvents';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-11-20T12:00:00Z');
const OUTCOMES = [
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  null,
] as const;
const ERROR_CLASSES = ['build', 'timeout', 'quota', 'no-such-class', null];

/**
 * 700 deploys of two entities over five days, both classes, every
 * outcome, running ones, unknown and missing error classes, missing
 * start and finish times, durations with ties: a fixed pseudo-random mix.
 */
function mixedEvents(): DeployEventFixture[] {
  let seed = 17;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  return Array.from({ length: 700 }, () => {
    const queued =
      Date.parse('2026-11-10T00:00:00Z') + next(5 * 24 * 60) * MINUTE;
    const outcome = OUTCOMES[next(OUTCOMES.length)];
    const started = next(10) === 0 ? null : queued + next(120) * SECOND;
    const finished =
      outcome === null || next(12) === 0
        ? null
        : (started ?? queued) + (next(40) * 15 + next(3)) * SECOND;
    return {
      entityRef: `component:default/app-${next(2)}`,
      environmentClass: next(3) === 0 ? 'preview' : 'production',
      outcome,
      errorClass:
        outcome === 'failed' ? ERROR_CLASSES[next(ERROR_CLASSES.length)] : null,
      queuedAt: queued,
      startedAt: started,
      finishedAt: finished,
    };
  });
}

describe.each(databases.eachSupportedId())(
  'the daily stats rebuild on %s',
  id => {
    it('writes the same rows as the listed days, byte for byte', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      await insertDeployEvents(knex, mixedEvents());
      const rows = async () =>
        (
          await knex('daily_deploy_stats').orderBy([
            'entity_ref',
            'day',
            'environment_class',
          ])
        ).map(({ computed_at: _, ...row }) => row);

      await aggregateDays(knex, { days: 'all', nowMs: NOW });
      const rebuilt = await rows();
      expect(rebuilt).toHaveLength(2 * 5 * 3);
      expect(rebuilt.map(r => JSON.parse(r.error_classes))).toContainEqual(
        expect.objectContaining({ unknown: expect.any(Number) }),
      );

      await knex('daily_deploy_stats').delete();
      await aggregateDays(knex, {
        days: rebuilt.map(r => ({ entityRef: r.entity_ref, day: r.day })),
        nowMs: NOW,
      });
      expect(await rows()).toEqual(rebuilt);
    });
  },
);
