import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import { insertDeployEvents } from '../metrics/__testUtils__/deployEvents';
import { doraOfEntities, doraOfEntity } from './doraOfEntities';
import type { DoraOptions } from './types';
import {
  insertCheck,
  insertDeployCommits,
  insertIncident,
  insertMergedPullRequest,
} from './__testUtils__/doraRows';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const SHOP = 'component:default/shop';
const CART = 'component:default/cart';
const IDLE = 'component:default/idle';
const WINDOW = { from: '2026-11-02', to: '2026-11-08' };
const OPTIONS: DoraOptions = {
  incidentStates: ['down'],
  githubCommitsReadable: true,
};

describe.each(databases.eachSupportedId())('doraOfEntities on %s', id => {
  /**
   * shop deploys on 3 November at 10:00 (PR 1 of 08:00 in it) and is down
   * 12:00–14:00; cart deploys on 3 November at 15:00 and 4 November at
   * 09:00 and is down at noon on 3 November, before its first deploy.
   */
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const deploy = (entityRef: string, finishedAt: string) => ({
      entityRef,
      queuedAt: Date.parse(finishedAt) - 60_000,
      finishedAt,
      outcome: 'succeeded' as const,
    });
    const [shopDeploy] = await insertDeployEvents(knex, [
      deploy(SHOP, '2026-11-03T10:00:00Z'),
      deploy(CART, '2026-11-03T15:00:00Z'),
      deploy(CART, '2026-11-04T09:00:00Z'),
    ]);
    await insertMergedPullRequest(knex, {
      entityRef: SHOP,
      prNumber: 1,
      mergeCommitSha: 'merge1',
      mergedAt: '2026-11-03T09:00:00Z',
      firstCommitAt: '2026-11-03T08:00:00Z',
    });
    await insertDeployCommits(knex, shopDeploy, SHOP, ['merge1', 'push']);
    await insertIncident(knex, {
      checkId: await insertCheck(knex, SHOP, 'home'),
      entityRef: SHOP,
      state: 'down',
      openedAt: '2026-11-03T12:00:00Z',
      closedAt: '2026-11-03T14:00:00Z',
    });
    await insertIncident(knex, {
      checkId: await insertCheck(knex, CART, 'home'),
      entityRef: CART,
      state: 'down',
      openedAt: '2026-11-03T12:00:00Z',
      closedAt: '2026-11-03T13:00:00Z',
    });
    return knex;
  }

  it('computes the set as a whole, attributing incidents within each entity, and every requested entity alone', async () => {
    const knex = await setup();
    const dora = await doraOfEntities(knex, {
      entityRefs: [SHOP, CART, IDLE],
      window: WINDOW,
      options: OPTIONS,
    });
    expect(dora.all).toEqual({
      deploymentFrequency: {
        medianDeployDaysPerWeek: 2,
        medianDeployDaysPerMonth: 2,
        deploys: 3,
        rating: 'high',
        reason: null,
      },
      leadTimeForChanges: {
        medianHours: 2,
        changes: 1,
        rating: 'elite',
        reason: null,
      },
      changeFailureRate: {
        value: 1 / 3,
        failedDeploys: 1,
        deploys: 3,
        rating: 'low',
        reason: null,
      },
      recoveryTime: {
        medianHours: 4,
        incidents: 1,
        rating: 'high',
        reason: null,
      },
    });
    expect([...dora.byEntity.keys()]).toEqual([SHOP, CART, IDLE]);
    expect(dora.byEntity.get(SHOP)).toMatchObject({
      deploymentFrequency: { medianDeployDaysPerWeek: 1, deploys: 1 },
      leadTimeForChanges: { medianHours: 2, changes: 1 },
      changeFailureRate: { value: 1, failedDeploys: 1 },
      recoveryTime: { medianHours: 4, incidents: 1 },
    });
    expect(dora.byEntity.get(CART)).toMatchObject({
      deploymentFrequency: { medianDeployDaysPerWeek: 2, deploys: 2 },
      leadTimeForChanges: { medianHours: null, reason: 'no-deployed-changes' },
      changeFailureRate: { value: 0, failedDeploys: 0, rating: 'elite' },
      recoveryTime: { medianHours: null, reason: 'no-recovered-incidents' },
    });
    expect(dora.byEntity.get(IDLE)).toMatchObject({
      deploymentFrequency: { deploys: 0, reason: 'no-deploys' },
      changeFailureRate: { value: null, reason: 'no-deploys' },
    });
  });

  it('computes one entity alone as the set does, and no lead time without GitHub credentials', async () => {
    const knex = await setup();
    const query = { window: WINDOW, options: OPTIONS };
    const set = await doraOfEntities(knex, {
      ...query,
      entityRefs: [SHOP, CART],
    });
    expect(await doraOfEntity(knex, { ...query, entityRef: SHOP })).toEqual(
      set.byEntity.get(SHOP),
    );
    expect(
      (
        await doraOfEntity(knex, {
          ...query,
          entityRef: SHOP,
          options: { ...OPTIONS, githubCommitsReadable: false },
        })
      ).leadTimeForChanges,
    ).toEqual({
      medianHours: null,
      changes: 1,
      rating: null,
      reason: 'no-github-credentials',
    });
  });
});
