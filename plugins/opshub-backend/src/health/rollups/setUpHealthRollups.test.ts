import { mockServices } from '@backstage/backend-test-utils';
import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { DEFAULT_HEALTH_CONFIG } from '../healthConfig';
import { hourOf } from '../healthRows';
import { HEALTH_ROLLUPS_TASK, setUpHealthRollups } from './setUpHealthRollups';
import {
  createChecks,
  DAY,
  insertSamples,
  rollupRows,
} from './__testUtils__/samples';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.UTC(2026, 11, 1, 12, 30);

describe.each(databases.eachSupportedId())('setUpHealthRollups on %s', id => {
  it('schedules one cluster-wide hourly task that rolls up, then deletes expired samples', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const [check] = await createChecks(knex, ['home']);
    await insertSamples(knex, [
      { checkId: check, atMs: NOW - 8 * DAY, latencyMs: 80 },
      { checkId: check, atMs: NOW - 2 * DAY, latencyMs: 20 },
    ]);
    const scheduler = mockServices.scheduler.mock();
    const logger = mockServices.logger.mock();
    await setUpHealthRollups({
      knex,
      scheduler,
      logger,
      config: DEFAULT_HEALTH_CONFIG,
      now: () => NOW,
    });

    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({
      id: HEALTH_ROLLUPS_TASK,
      scope: 'global',
      frequency: { hours: 1 },
      initialDelay: { minutes: 1 },
    });
    await task.fn(new AbortController().signal);

    // Both hours are rolled up; the raw sample of 8 days ago is gone.
    expect((await rollupRows(knex, check)).map(r => [r.hour, r.p50])).toEqual([
      [hourOf(NOW - 8 * DAY), 80],
      [hourOf(NOW - 2 * DAY), 20],
    ]);
    expect(
      (await knex('health_samples').select('at_ms')).map(r => Number(r.at_ms)),
    ).toEqual([NOW - 2 * DAY]);
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining(
        '1 samples, 0 rollups and 0 ended maintenance windows past retention deleted',
      ),
    );
  });
});
