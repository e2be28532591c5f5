import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { toDate } from '../database/timestamps';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import {
  createTestDatabases,
  describeOnPostgres,
} from '../__testUtils__/databases';
import { seedPreview } from '../__testUtils__/previews';
import { waitFor } from '../__testUtils__/waitFor';
import { DatabasePreviewStore } from './DatabasePreviewStore';
import { githubSyncGroup, previewGroup } from './previewJobGroups';
import {
  CHECK_PREVIEW,
  DESTROY_PREVIEW,
  type PreviewEvent,
} from './previewJobHandlers';
import type { PreviewState } from './PreviewStore';
import { failStuckPreviews } from './previewWatchdog';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const STUCK_AFTER_MS = 45 * 60_000;

async function setupWatchdog(knex: Knex) {
  await migrateUp(knex);
  const jobs = new DatabaseJobStore(knex);
  const previews = new DatabasePreviewStore(knex);
  const notified: string[] = [];
  const announced: string[] = [];
  const run = (now: Date) =>
    failStuckPreviews({
      knex,
      stuckAfterMs: STUCK_AFTER_MS,
      notify: preview => notified.push(`${preview.entityRef} ${preview.id}`),
      announce: (previewId: string, event: PreviewEvent, transition: string) =>
        announced.push(`${event} ${previewId} ${transition}`),
      now,
    });
  const seed = (prNumber: number, state: PreviewState) =>
    seedPreview(knex, { entityRef: ENTITY, prNumber, state });
  /** A job of the preview's lifecycle (its exclusion group), in `state`. */
  const jobOf = async (
    type: string,
    prNumber: number,
    state: 'queued' | 'running' | 'dead' | 'cancelled',
    group = previewGroup(ENTITY, prNumber),
  ) => {
    const id = await jobs.enqueue(knex, {
      type,
      key: `${type}:${ENTITY}#${prNumber}`,
      group,
      payload: {},
    });
    if (state === 'cancelled') await jobs.cancelQueuedJob(id);
    else if (state !== 'queued') {
      await knex('jobs')
        .where({ id })
        .update({
          state,
          attempts: 1,
          ...(state === 'running'
            ? {
                locked_by: 'elsewhere',
                locked_until: new Date(Date.now() + 60_000),
              }
            : { finished_at: new Date(), error_class: 'transient' }),
        });
    }
    return id;
  };
  const stateOf = async (id: string) =>
    (await knex('previews').where({ id }).first('state', 'error_class'))!;
  return { jobs, previews, notified, announced, run, seed, jobOf, stateOf };
}

describe.each(databases.eachSupportedId())('Preview watchdog on %s', id => {
  const stores: DatabaseJobStore[] = [];
  afterEach(() => Promise.all(stores.splice(0).map(s => s.close())));

  async function setup() {
    const knex = await databases.init(id);
    const watchdog = await setupWatchdog(knex);
    stores.push(watchdog.jobs);
    return { knex, ...watchdog };
  }

  it('fails previews whose jobs died, once, after stuckAfter, freeing their slots', async () => {
    const { knex, previews, notified, announced, run, seed, jobOf, stateOf } =
      await setup();

    // Stuck: each waits for a job that will never come.
    const destroying = await seed(1, 'destroying');
    await jobOf(DESTROY_PREVIEW, 1, 'dead');
    const cancelled = await seed(2, 'building');
    await jobOf(CHECK_PREVIEW, 2, 'cancelled');
    await knex('deploy_events').insert({
      preview_id: cancelled,
      entity_ref: ENTITY,
      provider: 'mock',
      head_sha: 'f'.repeat(40),
      deployment_id: 'dep-2',
      environment: 'preview',
      environment_class: 'preview',
      source: 'preview',
      queued_at: new Date(),
      started_at: new Date(),
      updated_at: new Date(),
    });
    const jobless = await seed(3, 'building');
    // A GitHub sync of it, or a job of another PR, does not move it.
    await jobOf('github-preview-sync', 3, 'running', githubSyncGroup(jobless));
    await jobOf(CHECK_PREVIEW, 30, 'queued');
    const queued = await seed(4, 'queued');

    // Left alone: a job of its group will move it, or nothing needs to.
    const waiting = await seed(5, 'building');
    await jobOf(CHECK_PREVIEW, 5, 'queued');
    const running = await seed(6, 'destroying');
    await jobOf(DESTROY_PREVIEW, 6, 'running');
    const settled = [
      await seed(7, 'awaiting-approval'),
      await seed(8, 'ready'),
      await seed(9, 'failed'),
    ];

    const [latest] = await knex('previews').max({ at: 'updated_at' });
    const lastChange = toDate(latest.at).getTime();
    const at = (ms: number) => new Date(lastChange + ms);
    // Queued, building and ready ones other than PR 99's.
    expect(await previews.countLive(ENTITY, 99)).toBe(5);

    // Not yet: within stuckAfter of their last change.
    expect(await run(at(STUCK_AFTER_MS - 60_000))).toEqual([]);
    expect((await stateOf(destroying)).state).toBe('destroying');
    expect(notified).toEqual([]);
    expect(announced).toEqual([]);

    const now = at(STUCK_AFTER_MS + 60_000);
    const failed = await run(now);
    expect(failed.map(p => [p.prNumber, p.was]).sort()).toEqual([
      [1, 'destroying'],
      [2, 'building'],
      [3, 'building'],
      [4, 'queued'],
    ]);
    for (const stuck of [destroying, cancelled, jobless, queued]) {
      expect(await stateOf(stuck)).toEqual({
        state: 'failed',
        error_class: 'stuck',
      });
    }
    const preview = (await previews.get(cancelled))!;
    expect(preview.errorMessage).toMatch(
      /^The preview's jobs died: it stayed building from .* with no job left to move it on/,
    );
    expect(preview.updatedAt).toEqual(now);
    expect(await stateOf(waiting)).toEqual({
      state: 'building',
      error_class: null,
    });
    expect((await stateOf(running)).state).toBe('destroying');
    expect(
      await Promise.all(settled.map(async p => (await stateOf(p)).state)),
    ).toEqual(['awaiting-approval', 'ready', 'failed']);

    // The build that was under way ends, failed as stuck.
    const [event] = await knex('deploy_events').where({
      preview_id: cancelled,
    });
    expect(event).toMatchObject({
      outcome: 'failed',
      error_class: 'stuck',
      error_code: 'opshub.stuck',
    });
    expect(toDate(event.finished_at)).toEqual(now);
    expect(toDate(event.updated_at)).toEqual(now);

    // Pages, GitHub and the team hear of each, once.
    const ids = [destroying, cancelled, jobless, queued];
    expect([...notified].sort()).toEqual(ids.map(p => `${ENTITY} ${p}`).sort());
    expect([...announced].sort()).toEqual(
      ids.map(p => `failed ${p} stuck@${now.toISOString()}`).sort(),
    );
    expect(await run(at(2 * STUCK_AFTER_MS + 60_000))).toEqual([]);
    expect(notified).toHaveLength(4);
    expect(announced).toHaveLength(4);

    // Their slots are free: the building one with a job and the ready one.
    expect(await previews.countLive(ENTITY, 99)).toBe(2);
  });
});

describeOnPostgres(
  databases,
  'Preview watchdog, racing a change, on %s',
  id => {
    it('leaves a preview alone that changes while the watchdog fails it', async () => {
      const knex = await databases.init(id);
      const { jobs, run, seed, stateOf, notified, announced } =
        await setupWatchdog(knex);
      try {
        const previewId = await seed(1, 'building');
        const [{ at }] = await knex('previews').max({ at: 'updated_at' });
        const now = new Date(toDate(at).getTime() + STUCK_AFTER_MS + 60_000);

        // Another instance holds the row, about to record the build ready.
        const trx = await knex.transaction();
        await trx('previews').where({ id: previewId }).forUpdate().first();
        const watchdog = run(now);
        await waitFor(
          async () => {
            const { rows } = await knex.raw(
              `SELECT count(*)::int AS waiting FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND query LIKE 'update "previews"%'`,
            );
            return rows[0].waiting > 0;
          },
          { what: "the watchdog's update to wait for the row" },
        );
        await trx('previews')
          .where({ id: previewId })
          .update({ state: 'ready', updated_at: new Date() });
        await trx.commit();

        expect(await watchdog).toEqual([]);
        expect(await stateOf(previewId)).toEqual({
          state: 'ready',
          error_class: null,
        });
        expect(notified).toEqual([]);
        expect(announced).toEqual([]);
      } finally {
        await jobs.close();
      }
    });
  },
);
