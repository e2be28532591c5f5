import type { Knex } from 'knex';
import {
  migrateDownLast,
  migrateUp,
  migrateUpTo,
} from '../database/migrations';
import { toDate } from '../database/timestamps';
import { createTestDatabases } from '../__testUtils__/databases';

// Issue 17: the migration 20261204000000_deploy_analytics rebuilds
// deploy_events; the events OpsHub recorded before must survive it, and
// rolling it back must give the old table back.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const BEFORE = '20261203000000';
const THIS = '20261204000000';
const ENTITY = 'component:default/web';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute));

/** A preview as the schema before the migration has it. */
async function insertPreview(knex: Knex, prNumber: number): Promise<string> {
  const [row] = await knex('previews')
    .insert({
      entity_ref: ENTITY,
      pr_number: prNumber,
      repository: 'acme/web',
      title: `PR ${prNumber}`,
      branch: `feature-${prNumber}`,
      head_sha: 'a'.repeat(40),
      author: 'alice',
      from_fork: false,
      provider: 'mock',
      state: 'ready',
      pr_updated_at: at(0),
      last_push_at: at(0),
      expires_at: at(59),
      created_at: at(0),
      updated_at: at(0),
    })
    .returning('id');
  return String(row.id);
}

/** Old-shape events of a preview, one per outcome; their ids. */
async function insertOldEvents(
  knex: Knex,
  previewId: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, outcome] of [
    'ready',
    'failed',
    'superseded',
    null,
  ].entries()) {
    const [row] = await knex('deploy_events')
      .insert({
        preview_id: previewId,
        entity_ref: ENTITY,
        provider: 'mock',
        head_sha: String(i).repeat(40),
        deployment_id: `dep-${i}`,
        queued_at: at(i * 10),
        started_at: at(i * 10 + 1),
        finished_at: outcome === null ? null : at(i * 10 + 5),
        duration_ms: outcome === null ? null : 4 * 60_000,
        outcome,
        error_code: outcome === 'failed' ? 'MOCK_BUILD_FAILED' : null,
        error_class: outcome === 'failed' ? 'build' : null,
      })
      .returning('id');
    ids.push(String(row.id));
  }
  return ids;
}

const newEvent = (overrides: Record<string, unknown> = {}) => ({
  entity_ref: ENTITY,
  environment: 'production',
  environment_class: 'production',
  source: 'github',
  provider: 'github',
  head_sha: 'f'.repeat(40),
  deployment_id: '42',
  queued_at: at(50),
  updated_at: at(50),
  ...overrides,
});

const timeOrNull = (value: Date | string | number | null) =>
  value === null ? null : toDate(value).toISOString();

describe.each(databases.eachSupportedId())(
  'Migration 20261204000000_deploy_analytics on %s',
  id => {
    it('copies the old events as preview deploys, keeps their ids and lets them outlive their preview', async () => {
      const knex = await databases.init(id);
      await migrateUpTo(knex, BEFORE);
      expect(await knex.schema.hasColumn('deploy_events', 'environment')).toBe(
        false,
      );
      const previewId = await insertPreview(knex, 7);
      const ids = await insertOldEvents(knex, previewId);

      await migrateUp(knex);

      const rows = await knex('deploy_events').orderBy('id');
      expect(
        rows.map(row => ({
          id: String(row.id),
          environment: row.environment,
          environment_class: row.environment_class,
          source: row.source,
          provider: row.provider,
          preview_id: String(row.preview_id),
          deployment_id: row.deployment_id,
          outcome: row.outcome,
          error_code: row.error_code,
          error_class: row.error_class,
          queued_at: timeOrNull(row.queued_at),
          started_at: timeOrNull(row.started_at),
          finished_at: timeOrNull(row.finished_at),
          updated_at: timeOrNull(row.updated_at),
        })),
      ).toEqual(
        [
          ['succeeded', 'ready'],
          ['failed', 'failed'],
          ['superseded', 'superseded'],
          [null, null],
        ].map(([outcome, old], i) => ({
          id: ids[i],
          environment: 'preview',
          environment_class: 'preview',
          source: 'preview',
          provider: 'mock',
          preview_id: previewId,
          deployment_id: `dep-${i}`,
          outcome,
          error_code: old === 'failed' ? 'MOCK_BUILD_FAILED' : null,
          error_class: old === 'failed' ? 'build' : null,
          queued_at: at(i * 10).toISOString(),
          started_at: at(i * 10 + 1).toISOString(),
          finished_at: old === null ? null : at(i * 10 + 5).toISOString(),
          // The last thing known of it.
          updated_at: at(i * 10 + (old === null ? 1 : 5)).toISOString(),
        })),
      );
      expect(await knex.schema.hasColumn('deploy_events', 'duration_ms')).toBe(
        false,
      );

      // The id sequence continues after the copied ids.
      const [added] = await knex('deploy_events')
        .insert(newEvent())
        .returning('id');
      expect(Number(added.id)).toBeGreaterThan(Math.max(...ids.map(Number)));

      // One event per GitHub deployment and entity (by index); preview
      // builds may share a provider deployment id.
      const insertedOrError = (row: Record<string, unknown>) =>
        knex('deploy_events')
          .insert(row)
          .then(
            () => 'inserted',
            error => String(error),
          );
      expect(await insertedOrError(newEvent({ queued_at: at(55) }))).toMatch(
        /unique|duplicate/i,
      );
      expect(
        await insertedOrError(
          newEvent({ entity_ref: 'component:default/other' }),
        ),
      ).toBe('inserted');
      const previewEvent = {
        ...newEvent(),
        source: 'preview',
        environment: 'preview',
        environment_class: 'preview',
      };
      expect(await insertedOrError(previewEvent)).toBe('inserted');
      expect(await insertedOrError(previewEvent)).toBe('inserted');

      // No cascade any more: the preview's events outlive it.
      await knex('previews').where({ id: previewId }).delete();
      expect(
        (await knex('deploy_events').where({ preview_id: previewId })).map(
          row => String(row.id),
        ),
      ).toEqual(ids);
    });

    it('rolls back to the old table: preview events of existing previews come back as they were', async () => {
      const knex = await databases.init(id);
      await migrateUpTo(knex, BEFORE);
      const kept = await insertPreview(knex, 7);
      const gone = await insertPreview(knex, 8);
      const ids = await insertOldEvents(knex, kept);
      const [goneEvent] = await insertOldEvents(knex, gone);
      await migrateUpTo(knex, THIS);
      await knex('previews').where({ id: gone }).delete();
      await knex('deploy_events').insert(newEvent());

      await migrateDownLast(knex);

      expect(await knex.schema.hasTable('daily_deploy_stats')).toBe(false);
      expect(await knex.schema.hasTable('deploy_stats_runs')).toBe(false);
      expect(await knex.schema.hasColumn('deploy_events', 'environment')).toBe(
        false,
      );
      const rows = await knex('deploy_events').orderBy('id');
      // The GitHub deployment and the deleted preview's events are not
      // part of the old table.
      expect(rows.map(row => String(row.id))).toEqual(ids);
      expect(ids).not.toContain(goneEvent);
      expect(
        rows.map(row => [
          row.outcome,
          timeOrNull(row.started_at),
          timeOrNull(row.finished_at),
        ]),
      ).toEqual([
        ['ready', at(1).toISOString(), at(5).toISOString()],
        ['failed', at(11).toISOString(), at(15).toISOString()],
        ['superseded', at(21).toISOString(), at(25).toISOString()],
        [null, at(31).toISOString(), null],
      ]);

      // Old-shape writes work again, with new ids, and cascade with their
      // preview once more.
      const [again] = await insertOldEvents(knex, kept);
      expect(Number(again)).toBeGreaterThan(Math.max(...ids.map(Number)));
      await knex('previews').where({ id: kept }).delete();
      expect(await knex('deploy_events').select('id')).toEqual([]);

      // And up again.
      await migrateUp(knex);
      expect(await knex.schema.hasColumn('deploy_events', 'environment')).toBe(
        true,
      );
    });
  },
);
