import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { DatabaseHealthStore } from '../../health/DatabaseHealthStore';
import { newHealthCheck } from '../../health/__testUtils__/checkFixtures';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import type { DigestConfig } from '../analyticsConfig';
import {
  insertDeployEvents,
  SECOND,
  succeeded,
} from '../metrics/__testUtils__/deployEvents';
import {
  runDigestSchedule,
  setUpDigestSchedule,
  WEEKLY_DIGEST_TASK,
} from './scheduleDigests';
import { WEEKLY_DIGEST_JOB } from './types';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const BERLIN: DigestConfig = {
  enabled: true,
  cron: '0 9 * * 1',
  timeZone: 'Europe/Berlin',
};
const t = Date.parse;
const entity = (name: string) => `component:default/${name}`;

describe.each(databases.eachSupportedId())('runDigestSchedule on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const logger = mockServices.logger.mock();
    const instance = () => ({
      knex,
      queue: new JobQueue(new DatabaseJobStore(knex), logger),
      config: BERLIN,
      logger,
    });
    return { knex, logger, deps: instance(), instance };
  }

  async function track(knex: Knex, ...names: string[]) {
    const now = new Date();
    await knex('projects').insert(
      names.map(name => ({
        entity_ref: entity(name),
        repo_slug: `acme/${name}`,
        created_at: now,
        updated_at: now,
      })),
    );
  }

  const deployOf = (name: string, queuedAt: string, extra = {}) =>
    succeeded(queuedAt, 10 * SECOND, SECOND, {
      entityRef: entity(name),
      ...extra,
    });

  async function digestJobs(knex: Knex) {
    const rows = await knex('jobs')
      .where({ type: WEEKLY_DIGEST_JOB })
      .orderBy('key');
    return rows.map(r => ({
      key: r.key,
      state: r.state,
      payload:
        typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    }));
  }

  it('records now on its first look and sends nothing for earlier runs', async () => {
    const { knex, deps } = await setup();
    await track(knex, 'shop');
    await insertDeployEvents(knex, [deployOf('shop', '2027-03-17T10:00:00Z')]);
    // Monday 2027-03-22 09:00 in Berlin (08:00 UTC) has just passed.
    const now = t('2027-03-22T08:00:30Z');
    expect(await runDigestSchedule(deps, now)).toEqual({ outcome: 'started' });
    expect(await runDigestSchedule(deps, now + 60_000)).toEqual({
      outcome: 'not-due',
    });
    expect(await digestJobs(knex)).toEqual([]);
  });

  it('enqueues one job per active entity for the 7 UTC days before the run, once', async () => {
    const { knex, deps, instance } = await setup();
    await track(knex, 'shop', 'billing', 'search', 'quiet', 'today');
    await insertDeployEvents(knex, [
      // In the week (2027-03-15..21): a preview deploy counts too.
      deployOf('shop', '2027-03-15T00:00:00Z', { environmentClass: 'preview' }),
      // The week before only (2027-03-08..14).
      deployOf('billing', '2027-03-08T00:00:00Z'),
      // Three weeks before; and on the run's own day, after the week.
      deployOf('quiet', '2027-03-07T23:59:59Z'),
      deployOf('today', '2027-03-22T00:00:00Z'),
      // Not a tracked project.
      deployOf('untracked', '2027-03-16T10:00:00Z'),
    ]);
    const health = new DatabaseHealthStore(knex);
    const check = await health.createCheck(
      newHealthCheck({ entityRef: entity('search') }),
    );
    await knex('health_incidents').insert({
      check_id: Number(check.id),
      entity_ref: entity('search'),
      state: 'down',
      opened_at: new Date('2027-03-21T23:59:59Z'),
      closed_at: null,
    });

    await runDigestSchedule(deps, t('2027-03-20T12:00:00Z'));
    expect(await runDigestSchedule(deps, t('2027-03-22T07:59:59Z'))).toEqual({
      outcome: 'not-due',
    });
    const runAt = '2027-03-22T08:00:00.000Z';
    expect(await runDigestSchedule(deps, t('2027-03-22T08:00:20Z'))).toEqual({
      outcome: 'enqueued',
      runAt,
      entityRefs: ['billing', 'search', 'shop'].map(entity),
    });
    const expected = ['billing', 'search', 'shop'].map(name => ({
      key: `weekly-digest:${entity(name)}:2027-03-15`,
      state: 'queued',
      payload: {
        entityRef: entity(name),
        runAt,
        from: '2027-03-15',
        to: '2027-03-21',
      },
    }));
    expect(await digestJobs(knex)).toEqual(expected);

    // A restart (a new instance) finds the run handled.
    expect(
      await runDigestSchedule(instance(), t('2027-03-22T08:01:00Z')),
    ).toEqual({ outcome: 'not-due' });
    // Were the run handled again, its jobs would coalesce with the waiting ones.
    await knex('digest_schedule').update({
      last_run_at: new Date('2027-03-20T12:00:00Z'),
    });
    expect(
      await runDigestSchedule(instance(), t('2027-03-22T08:02:00Z')),
    ).toMatchObject({ outcome: 'enqueued', runAt });
    expect(await digestJobs(knex)).toEqual(expected);
  });

  it('lets one of two instances claim a run', async () => {
    const { knex, deps, instance } = await setup();
    await track(knex, 'shop');
    await insertDeployEvents(knex, [deployOf('shop', '2027-03-17T10:00:00Z')]);
    await runDigestSchedule(deps, t('2027-03-20T12:00:00Z'));

    const now = t('2027-03-22T08:00:05Z');
    const outcomes = await Promise.all([
      runDigestSchedule(instance(), now),
      runDigestSchedule(instance(), now),
    ]);
    expect(outcomes.map(o => o.outcome).sort()).toEqual([
      'claimed-elsewhere',
      'enqueued',
    ]);
    expect((await digestJobs(knex)).map(j => j.key)).toEqual([
      `weekly-digest:${entity('shop')}:2027-03-15`,
    ]);
  });

  it('records a run found more than 24 hours late without sending it', async () => {
    const { knex, deps, logger } = await setup();
    await track(knex, 'shop');
    await insertDeployEvents(knex, [deployOf('shop', '2027-03-17T10:00:00Z')]);
    await runDigestSchedule(deps, t('2027-03-01T00:00:00Z'));

    // The backend was down from before Monday 08:00 UTC until Tuesday 08:01.
    expect(await runDigestSchedule(deps, t('2027-03-23T08:01:00Z'))).toEqual({
      outcome: 'missed',
      runAt: '2027-03-22T08:00:00.000Z',
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('2027-03-22T08:00:00.000Z was not sent'),
    );
    expect(await runDigestSchedule(deps, t('2027-03-23T08:02:00Z'))).toEqual({
      outcome: 'not-due',
    });
    expect(await digestJobs(knex)).toEqual([]);

    // Back within 24 hours, the run is sent: the next Monday's.
    expect(await runDigestSchedule(deps, t('2027-03-30T06:59:00Z'))).toEqual({
      outcome: 'enqueued',
      runAt: '2027-03-29T07:00:00.000Z',
      entityRefs: [entity('shop')],
    });
  });

  it('runs at 09:00 Berlin time across both daylight-saving weekends', async () => {
    const { knex, deps } = await setup();
    await track(knex, 'shop');
    await insertDeployEvents(knex, [
      deployOf('shop', '2027-03-24T10:00:00Z'),
      deployOf('shop', '2027-10-27T10:00:00Z'),
    ]);
    // Spring: 09:00 CEST is 07:00 UTC on Monday 2027-03-29.
    await runDigestSchedule(deps, t('2027-03-27T12:00:00Z'));
    expect(await runDigestSchedule(deps, t('2027-03-29T06:59:30Z'))).toEqual({
      outcome: 'not-due',
    });
    expect(await runDigestSchedule(deps, t('2027-03-29T07:00:30Z'))).toEqual({
      outcome: 'enqueued',
      runAt: '2027-03-29T07:00:00.000Z',
      entityRefs: [entity('shop')],
    });
    // Autumn: 09:00 CET is 08:00 UTC on Monday 2027-11-01.
    await knex('digest_schedule').update({
      last_run_at: new Date('2027-10-30T12:00:00Z'),
    });
    expect(await runDigestSchedule(deps, t('2027-11-01T07:00:30Z'))).toEqual({
      outcome: 'not-due',
    });
    expect(await runDigestSchedule(deps, t('2027-11-01T08:00:30Z'))).toEqual({
      outcome: 'enqueued',
      runAt: '2027-11-01T08:00:00.000Z',
      entityRefs: [entity('shop')],
    });
    expect((await digestJobs(knex)).map(j => j.payload)).toEqual([
      {
        entityRef: entity('shop'),
        runAt: '2027-03-29T07:00:00.000Z',
        from: '2027-03-22',
        to: '2027-03-28',
      },
      {
        entityRef: entity('shop'),
        runAt: '2027-11-01T08:00:00.000Z',
        from: '2027-10-25',
        to: '2027-10-31',
      },
    ]);
  });

  it('schedules a global task every minute when enabled, none when disabled', async () => {
    const { knex, deps } = await setup();
    const off = mockServices.scheduler.mock();
    await setUpDigestSchedule({
      ...deps,
      config: { ...BERLIN, enabled: false },
      scheduler: off,
    });
    expect(off.scheduleTask).not.toHaveBeenCalled();

    const scheduler = mockServices.scheduler.mock();
    const now = t('2027-03-20T12:00:00Z');
    await setUpDigestSchedule({ ...deps, scheduler, now: () => now });
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({
      id: WEEKLY_DIGEST_TASK,
      scope: 'global',
      frequency: { minutes: 1 },
    });
    await task.fn(new AbortController().signal);
    const [row] = await knex('digest_schedule').select('last_run_at');
    expect(new Date(row.last_run_at).getTime()).toBe(now);
  });
});
