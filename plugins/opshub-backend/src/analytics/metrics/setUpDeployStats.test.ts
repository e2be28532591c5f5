import { mockServices } from '@backstage/backend-test-utils';
import { migrateUp } from '../../database/migrations';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import { waitFor } from '../../__testUtils__/waitFor';
import {
  DEPLOY_STATS_JOB,
  DEPLOY_STATS_TASK,
  enqueueDeployStats,
  setUpDeployStats,
} from './setUpDeployStats';
import {
  insertDeployEvents,
  SECOND,
  succeeded,
} from './__testUtils__/deployEvents';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const NOW = Date.parse('2026-11-20T12:00:00Z');

describe.each(databases.eachSupportedId())('setUpDeployStats on %s', id => {
  it('runs the incremental update as one coalescing job, enqueued hourly and by writers', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const store = new DatabaseJobStore(knex);
    const queue = new JobQueue(store, mockServices.logger.mock(), {
      pollIntervalMs: 50,
    });
    const scheduler = mockServices.scheduler.mock();
    const logger = mockServices.logger.mock();
    await setUpDeployStats({ knex, scheduler, queue, logger, now: () => NOW });

    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({
      id: DEPLOY_STATS_TASK,
      scope: 'global',
      frequency: { hours: 1 },
    });

    await insertDeployEvents(knex, [
      succeeded('2026-11-10T10:00:00Z', 10 * SECOND),
    ]);
    await knex.transaction(trx => enqueueDeployStats(queue, trx));
    await task.fn(new AbortController().signal);
    await enqueueDeployStats(queue, knex);
    const jobs = await knex('jobs').where({ type: DEPLOY_STATS_JOB });
    expect(jobs.map(j => [j.key, j.exclusion_group, j.state])).toEqual([
      [DEPLOY_STATS_JOB, DEPLOY_STATS_JOB, 'queued'],
    ]);

    queue.start();
    try {
      await waitFor(
        async () =>
          (
            await knex('jobs').where({ type: DEPLOY_STATS_JOB }).first()
          )?.state === 'succeeded',
        { what: 'the deploy-stats job' },
      );
    } finally {
      await queue.stop();
      await store.close();
    }
    expect(
      await knex('daily_deploy_stats')
        .orderBy('environment_class')
        .pluck('environment_class'),
    ).toEqual(['all', 'production']);
    const [run] = await knex('deploy_stats_runs').select('read_until');
    expect(
      new Date(
        run.read_until instanceof Date
          ? run.read_until
          : Number(run.read_until),
      ).getTime(),
    ).toBe(NOW);
    expect(logger.info).toHaveBeenCalledWith(
      'Daily deploy stats: every day recomputed',
    );
  });
});
