import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  ENTITY,
  insertDeployEvents,
  type DeployEventFixture,
} from '../metrics/__testUtils__/deployEvents';
import { summaryOfInputs } from './computeDora';
import { loadDoraSummary } from './loadDoraSummary';
import type { DoraOptions } from './types';
import {
  insertCheck,
  insertDeployCommits,
  insertIncident,
  insertMergedPullRequest,
} from './__testUtils__/doraRows';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const OTHER = 'component:default/cart';
const WINDOW = { from: '2026-11-02', to: '2026-11-08' };
const OPTIONS: DoraOptions = {
  incidentStates: ['down'],
  githubCommitsReadable: true,
};
const ms = (iso: string) => Date.parse(iso);

/** A deploy finished at `finishedAt`, succeeded in production unless told. */
const finished = (
  finishedAt: string,
  extra: Partial<DeployEventFixture> = {},
): DeployEventFixture => ({
  queuedAt: ms(finishedAt) - 60_000,
  finishedAt,
  outcome: 'succeeded',
  ...extra,
});

describe.each(databases.eachSupportedId())('loadDoraSummary on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return knex;
  }
  const load = (
    knex: Awaited<ReturnType<typeof setup>>,
    options: Partial<DoraOptions> = {},
    entityRefs = [ENTITY],
  ) =>
    loadDoraSummary(knex, {
      entityRefs,
      window: WINDOW,
      options: { ...OPTIONS, ...options },
    });

  it('counts the successful production deploys finished in the window per entity and UTC day', async () => {
    const knex = await setup();
    await insertDeployEvents(knex, [
      finished('2026-11-10T08:00:00Z'),
      finished('2026-11-01T23:59:59Z'),
      finished('2026-11-03T10:00:00Z'),
      finished('2026-11-03T23:59:59Z'),
      finished('2026-11-08T23:59:59Z'),
      finished('2026-11-04T10:00:00Z', { outcome: 'failed' }),
      finished('2026-11-04T11:00:00Z', { environmentClass: 'preview' }),
      finished('2026-11-04T12:00:00Z', { entityRef: OTHER }),
      { queuedAt: '2026-11-05T10:00:00Z', outcome: null },
    ]);
    const byDay = (a: { day: string }, b: { day: string }) =>
      a.day.localeCompare(b.day);
    const summary = await load(knex);
    expect(summary.deployDays.sort(byDay)).toEqual([
      { entityRef: ENTITY, day: '2026-11-03', deploys: 2 },
      { entityRef: ENTITY, day: '2026-11-08', deploys: 1 },
    ]);
    expect(summary.githubCommitsReadable).toBe(true);
    expect(
      (await load(knex, {}, [ENTITY, OTHER])).deployDays.sort(byDay),
    ).toEqual([
      { entityRef: ENTITY, day: '2026-11-03', deploys: 2 },
      { entityRef: OTHER, day: '2026-11-04', deploys: 1 },
      { entityRef: ENTITY, day: '2026-11-08', deploys: 1 },
    ]);
  });

  it('attributes each incident to the last successful production deploy of its entity finished strictly before it opened, as the reference definition does', async () => {
    const knex = await setup();
    const fixtures: DeployEventFixture[] = [
      finished('2026-10-20T10:00:00Z'),
      finished('2026-11-03T10:00:00Z'),
      finished('2026-11-03T10:00:00Z', { outcome: 'failed' }),
      finished('2026-11-05T10:00:00Z'),
      finished('2026-11-05T10:00:00Z', { environmentClass: 'preview' }),
      finished('2026-11-07T10:00:00Z', { entityRef: OTHER }),
      finished('2026-11-12T10:00:00Z'),
    ];
    const ids = await insertDeployEvents(knex, fixtures);
    const home = await insertCheck(knex, ENTITY, 'home');
    const otherHome = await insertCheck(knex, OTHER, 'home');
    const opened: Array<[number, string, string, string | null]> = [
      // check, entity, opened, closed
      [home, ENTITY, '2026-11-02T10:00:00Z', '2026-11-02T12:00:00Z'],
      // At the deploy's finish: the one before it.
      [home, ENTITY, '2026-11-05T10:00:00Z', '2026-11-05T11:00:00Z'],
      [home, ENTITY, '2026-11-06T10:00:00Z', null],
      [home, ENTITY, '2026-11-13T10:00:00Z', '2026-11-13T12:00:00Z'],
      // Before OTHER's first deploy: no deploy.
      [otherHome, OTHER, '2026-11-06T10:00:00Z', '2026-11-06T11:00:00Z'],
      [otherHome, OTHER, '2026-11-08T10:00:00Z', null],
    ];
    const incidentIds: number[] = [];
    for (const [checkId, entityRef, openedAt, closedAt] of opened) {
      incidentIds.push(
        await insertIncident(knex, {
          checkId,
          entityRef,
          state: 'down',
          openedAt,
          closedAt,
        }),
      );
    }

    const summary = await load(knex, {}, [ENTITY, OTHER]);
    const deployOf = new Map(
      summary.incidents.map(i => [i.id, i.deploy && i.deploy.id]),
    );
    expect(incidentIds.map(i => deployOf.get(i))).toEqual([
      ids[0],
      ids[1],
      ids[3],
      ids[6],
      null,
      ids[5],
    ]);

    // The same as the pure definition over the raw rows.
    const raw = {
      deploys: fixtures
        .map((f, i) => ({ ...f, id: ids[i] }))
        .filter(
          f =>
            (f.outcome ?? null) === 'succeeded' &&
            (f.environmentClass ?? 'production') === 'production',
        )
        .map(f => ({
          id: f.id,
          entityRef: f.entityRef ?? ENTITY,
          finishedAtMs: ms(String(f.finishedAt)),
        })),
      incidents: summary.incidents.map(({ deploy: _, ...i }) => i),
      changes: [],
      githubCommitsReadable: true,
    };
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    const reference = summaryOfInputs(raw, WINDOW);
    expect(summary.incidents.sort(byId)).toEqual(
      reference.incidents.sort(byId),
    );
  });

  it('reads the incidents of the entity’s own checks in the configured states, opened from the window’s start on', async () => {
    const knex = await setup();
    const api = await insertCheck(knex, ENTITY, 'home');
    const annotation = await insertCheck(
      knex,
      ENTITY,
      'annotated',
      'annotation',
    );
    const preview = await insertCheck(knex, ENTITY, 'preview', 'preview');
    const other = await insertCheck(knex, OTHER, 'home');
    const incident = (
      checkId: number,
      state: 'degraded' | 'down',
      openedAt: string,
      closedAt: string | null,
      entityRef = ENTITY,
    ) =>
      insertIncident(knex, { checkId, entityRef, state, openedAt, closedAt });

    const down = await incident(
      api,
      'down',
      '2026-11-03T10:00:00Z',
      '2026-11-03T11:00:00Z',
    );
    const degraded = await incident(
      api,
      'degraded',
      '2026-11-04T10:00:00Z',
      '2026-11-04T10:30:00Z',
    );
    const open = await incident(
      annotation,
      'down',
      '2026-11-09T10:00:00Z',
      null,
    );
    await incident(api, 'down', '2026-11-01T23:00:00Z', '2026-11-02T01:00:00Z');
    await incident(preview, 'down', '2026-11-03T12:00:00Z', null);
    await incident(other, 'down', '2026-11-03T12:00:00Z', null, OTHER);

    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    const downIncident = {
      id: down,
      entityRef: ENTITY,
      openedAtMs: ms('2026-11-03T10:00:00Z'),
      closedAtMs: ms('2026-11-03T11:00:00Z'),
      deploy: null,
    };
    const openIncident = {
      id: open,
      entityRef: ENTITY,
      openedAtMs: ms('2026-11-09T10:00:00Z'),
      closedAtMs: null,
      deploy: null,
    };
    expect((await load(knex)).incidents.sort(byId)).toEqual([
      downIncident,
      openIncident,
    ]);
    expect(
      (
        await load(knex, { incidentStates: ['degraded', 'down'] })
      ).incidents.sort(byId),
    ).toEqual([
      downIncident,
      {
        id: degraded,
        entityRef: ENTITY,
        openedAtMs: ms('2026-11-04T10:00:00Z'),
        closedAtMs: ms('2026-11-04T10:30:00Z'),
        deploy: null,
      },
      openIncident,
    ]);
  });

  it('reads each merged pull request with known commits at the first successful production deploy of its merge commit, when that is in the window', async () => {
    const knex = await setup();
    const [before, first, failed, second, others] = await insertDeployEvents(
      knex,
      [
        finished('2026-10-30T10:00:00Z'),
        finished('2026-11-03T10:00:00Z'),
        finished('2026-11-04T10:00:00Z', { outcome: 'failed' }),
        finished('2026-11-05T10:00:00Z'),
        finished('2026-11-05T10:00:00Z', { entityRef: OTHER }),
      ],
    );
    const pr = (
      prNumber: number,
      mergeCommitSha: string,
      extra: {
        firstCommitAt?: string | null;
        commitsStatus?: 'pending' | 'known' | 'unavailable';
        entityRef?: string;
      } = {},
    ) =>
      insertMergedPullRequest(knex, {
        entityRef: ENTITY,
        prNumber,
        mergeCommitSha,
        mergedAt: '2026-10-29T10:00:00Z',
        firstCommitAt: '2026-10-28T10:00:00Z',
        ...extra,
      });
    await pr(1, 'in-first-and-second');
    await pr(2, 'never-deployed');
    await pr(3, 'pending', { commitsStatus: 'pending', firstCommitAt: null });
    await pr(4, 'unavailable', {
      commitsStatus: 'unavailable',
      firstCommitAt: null,
    });
    await pr(5, 'failed-then-second', {
      firstCommitAt: '2026-11-04T09:00:00Z',
    });
    await pr(6, 'deployed-before-the-window');
    await pr(7, 'no-first-commit', { firstCommitAt: null });
    // Another entity's PR whose merge commit this entity deployed.
    await pr(8, 'in-first-and-second', { entityRef: OTHER });

    await insertDeployCommits(knex, before, ENTITY, [
      'deployed-before-the-window',
    ]);
    await insertDeployCommits(knex, first, ENTITY, [
      'in-first-and-second',
      'pending',
      'unavailable',
      'no-first-commit',
      'deployed-before-the-window',
      'a-direct-push',
    ]);
    await insertDeployCommits(knex, failed, ENTITY, ['failed-then-second']);
    await insertDeployCommits(knex, second, ENTITY, [
      'in-first-and-second',
      'failed-then-second',
    ]);
    await insertDeployCommits(knex, others, OTHER, ['another-direct-push']);

    const changes = (await load(knex, {}, [ENTITY, OTHER])).changes.sort(
      (a, b) => a.prNumber - b.prNumber,
    );
    expect(changes).toEqual([
      {
        entityRef: ENTITY,
        repository: 'acme/shop',
        prNumber: 1,
        firstCommitAtMs: ms('2026-10-28T10:00:00Z'),
        deployedAtMs: ms('2026-11-03T10:00:00Z'),
      },
      {
        entityRef: ENTITY,
        repository: 'acme/shop',
        prNumber: 5,
        firstCommitAtMs: ms('2026-11-04T09:00:00Z'),
        deployedAtMs: ms('2026-11-05T10:00:00Z'),
      },
    ]);
  });

  it('reads nothing for no entities, and many entities in several statements', async () => {
    const knex = await setup();
    expect(await load(knex, {}, [])).toEqual({
      deployDays: [],
      incidents: [],
      changes: [],
      githubCommitsReadable: true,
    });
    const many = Array.from(
      { length: 1_200 },
      (_, i) => `component:default/service-${i}`,
    );
    await insertDeployEvents(knex, [
      finished('2026-11-03T10:00:00Z', { entityRef: many[1_199] }),
    ]);
    expect((await load(knex, {}, many)).deployDays).toEqual([
      { entityRef: many[1_199], day: '2026-11-03', deploys: 1 },
    ]);
  });
});
