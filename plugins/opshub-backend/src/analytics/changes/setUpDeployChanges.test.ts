import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { DatabaseJobStore } from '../../queue/DatabaseJobStore';
import { JobQueue } from '../../queue/JobQueue';
import { createTestDatabases } from '../../__testUtils__/databases';
import { waitFor } from '../../__testUtils__/waitFor';
import {
  fakeGithubApis,
  routeCompare,
  shaOf,
} from './__testUtils__/fakeGithubApi';
import { changeSetOf, githubDeploys } from './__testUtils__/githubDeploys';
import { DEPLOY_CHANGES } from './deployChangesJobs';
import {
  DEPLOY_CHANGES_TASK,
  githubCommitsReadable,
  setUpDeployChanges,
} from './setUpDeployChanges';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const startGithub = fakeGithubApis();
const DAY = 24 * 60 * 60 * 1000;
/** An hour after the test deploys (2026-11-30T10:00Z and on). */
const NOW = new Date('2026-11-30T11:00:00Z');

describe('githubCommitsReadable', () => {
  it.each([
    [{}, false],
    [{ integrations: { github: [{ host: 'github.com' }] } }, false],
    [{ integrations: { github: [{ host: 'github.com', token: 't' }] } }, true],
    [
      {
        integrations: {
          github: [
            {
              host: 'github.com',
              apps: [
                {
                  appId: 1,
                  privateKey: 'key',
                  clientId: 'id',
                  clientSecret: 'secret',
                  webhookSecret: 'secret',
                },
              ],
            },
          ],
        },
      },
      true,
    ],
  ])('reads %j as %s', (config, readable) => {
    expect(githubCommitsReadable(new ConfigReader(config))).toBe(readable);
  });
});

describe.each(databases.eachSupportedId())('setUpDeployChanges on %s', id => {
  let knex: Knex;
  let store: DatabaseJobStore;
  let queue: JobQueue;
  beforeAll(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
  });
  beforeEach(async () => {
    await knex('jobs').delete();
    await knex('deploy_events').delete();
    store = new DatabaseJobStore(knex);
    queue = new JobQueue(store, mockServices.logger.mock(), {
      pollIntervalMs: 20,
    });
  });
  afterEach(async () => {
    await queue.stop();
    await store.close();
  });

  async function setup() {
    const { api, clientFor } = await startGithub();
    routeCompare(api, 100);
    const scheduler = mockServices.scheduler.mock();
    const deployChanges = await setUpDeployChanges({
      knex,
      queue,
      scheduler,
      clientFor,
      logger: mockServices.logger.mock(),
      now: () => NOW,
    });
    queue.start();
    const task = scheduler.scheduleTask.mock.calls[0][0];
    return {
      api,
      task,
      deploy: githubDeploys(knex, deployChanges?.succeededChanged),
    };
  }

  const settled = () =>
    waitFor(
      async () =>
        (await knex('jobs')
          .where({ type: DEPLOY_CHANGES })
          .whereIn('state', ['queued', 'running'])
          .first('id')) === undefined,
      { what: 'the deploy-changes jobs' },
    );

  it('computes a deploy’s change set once it succeeded, and the next deploy’s again when an older one arrives late', async () => {
    const { deploy } = await setup();
    const newer = await deploy(2, shaOf(20), 300);
    await settled();
    expect(await changeSetOf(knex, newer)).toMatchObject({ status: 'first' });

    const older = await deploy(1, shaOf(15), 100);
    const group = `${DEPLOY_CHANGES}:component:default/web`;
    expect(
      await knex('jobs')
        .where({ type: DEPLOY_CHANGES })
        .orderBy('id')
        .select('key', { group: 'exclusion_group' }),
    ).toEqual([
      { key: `${DEPLOY_CHANGES}:${newer}`, group },
      { key: `${DEPLOY_CHANGES}:${older}`, group },
      { key: `${DEPLOY_CHANGES}:${newer}`, group },
    ]);
    await settled();
    expect(await changeSetOf(knex, older)).toMatchObject({ status: 'first' });
    expect(await changeSetOf(knex, newer)).toMatchObject({
      status: 'resolved',
      base_sha: shaOf(15),
      commit_count: 5,
    });
  });

  it('enqueues nothing for statuses that change no succeeded deploy', async () => {
    const { deploy } = await setup();
    await deploy(1, shaOf(15), 100, 'failure');
    expect(await knex('jobs').where({ type: DEPLOY_CHANGES })).toEqual([]);
  });

  it('catches up hourly: deploys of the last 400 days without a change set, and day-old unavailable ones', async () => {
    const { task } = await setup();
    await queue.stop();
    const events = githubDeploys(knex);
    const missing = await events(1, shaOf(1), 60);
    const resolved = await events(2, shaOf(2), 120);
    const unavailableToday = await events(3, shaOf(3), 180);
    const unavailableYesterday = await events(4, shaOf(4), 240);
    const tooOld = await events(5, shaOf(5), 300);
    await knex('deploy_events')
      .where({ id: tooOld })
      .update({ finished_at: new Date(NOW.getTime() - 401 * DAY) });
    const changeSet = (deployId: string, status: string, resolvedAt: Date) => ({
      deploy_event_id: deployId,
      entity_ref: 'component:default/web',
      head_sha: shaOf(0),
      status,
      resolved_at: resolvedAt,
    });
    await knex('deploy_change_sets').insert([
      changeSet(resolved, 'resolved', new Date(NOW.getTime() - 2 * DAY)),
      changeSet(unavailableToday, 'unavailable', NOW),
      changeSet(
        unavailableYesterday,
        'unavailable',
        new Date(NOW.getTime() - 2 * DAY),
      ),
    ]);
    await task.fn(new AbortController().signal);
    expect(
      await knex('jobs')
        .where({ type: DEPLOY_CHANGES })
        .orderBy('key')
        .pluck('key'),
    ).toEqual(
      [missing, unavailableYesterday].map(d => `${DEPLOY_CHANGES}:${d}`).sort(),
    );
    expect(task).toMatchObject({
      id: DEPLOY_CHANGES_TASK,
      scope: 'global',
      frequency: { hours: 1 },
    });
  });

  it('registers and schedules nothing without GitHub credentials', async () => {
    const scheduler = mockServices.scheduler.mock();
    const register = jest.spyOn(queue, 'register');
    await expect(
      setUpDeployChanges({
        knex,
        queue,
        scheduler,
        clientFor: undefined,
        logger: mockServices.logger.mock(),
      }),
    ).resolves.toBeUndefined();
    expect(register).not.toHaveBeenCalled();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });
});
