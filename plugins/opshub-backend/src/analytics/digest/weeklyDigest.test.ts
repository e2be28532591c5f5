import { InputError } from '@backstage/errors';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import type { DoraOptions } from '../dora/types';
import {
  FIXTURE_DIGEST,
  insertDigestWeek,
  WEEK,
} from './__testUtils__/digestWeek';
import { loadWeeklyDigest, parseWeeklyDigestPayload } from './weeklyDigest';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const DORA: DoraOptions = {
  incidentStates: ['down'],
  githubCommitsReadable: true,
};

describe('parseWeeklyDigestPayload', () => {
  it('takes a week of 7 days that ended before the run', () => {
    expect(parseWeeklyDigestPayload(WEEK)).toEqual(WEEK);
  });

  it.each([
    ['8 days', { ...WEEK, to: '2026-12-07' }, 'is not 7 days'],
    [
      'a run before its end',
      { ...WEEK, runAt: '2026-12-06T23:00:00Z' },
      'runs before its end',
    ],
    [
      'a word for a date',
      { ...WEEK, from: 'last monday' },
      'Invalid weekly digest payload',
    ],
    [
      'no entity',
      { ...WEEK, entityRef: undefined },
      'Invalid weekly digest payload',
    ],
  ])('refuses %s', (_name, payload, message) => {
    expect(() => parseWeeklyDigestPayload(payload)).toThrow(InputError);
    expect(() => parseWeeklyDigestPayload(payload)).toThrow(message);
  });
});

describe.each(databases.eachSupportedId())('loadWeeklyDigest on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return knex;
  }

  it("tells the week's deploys, P95 against the week before, top error classes, DORA over 4 weeks and the worst incidents", async () => {
    const knex = await setup();
    await insertDigestWeek(knex);
    expect(await loadWeeklyDigest(knex, WEEK, { dora: DORA })).toEqual(
      FIXTURE_DIGEST,
    );
  });

  it('has nulls and empty lists for an entity without deploys or incidents', async () => {
    const knex = await setup();
    await insertDigestWeek(knex);
    const quiet = { ...WEEK, entityRef: 'component:default/quiet' };
    const noDeploys = { rating: null, reason: 'no-deploys' };
    expect(await loadWeeklyDigest(knex, quiet, { dora: DORA })).toEqual({
      entityRef: 'component:default/quiet',
      from: WEEK.from,
      to: WEEK.to,
      deploys: 0,
      successRate: null,
      totalTimeP95Ms: { week: null, previousWeek: null },
      topErrorClasses: [],
      dora: {
        window: { from: '2026-11-09', to: '2026-12-06' },
        keys: {
          deploymentFrequency: noDeploys,
          leadTimeForChanges: { rating: null, reason: 'no-deployed-changes' },
          changeFailureRate: noDeploys,
          recoveryTime: { rating: null, reason: 'no-recovered-incidents' },
        },
      },
      worstIncidents: [],
    });
  });
});
