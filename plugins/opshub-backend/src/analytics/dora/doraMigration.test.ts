import { migrateDownLast, migrateUpTo } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';

// Issue 18: the migration 20261205000000_dora_and_digest adds the merged
// pull requests, the commits of production deploys and the digest's
// schedule; a deploy's commits go with it.

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const at = new Date(Date.UTC(2026, 11, 1, 9));

describe.each(databases.eachSupportedId())(
  'Migration 20261205000000_dora_and_digest on %s',
  id => {
    it('adds the tables, drops a deploy’s commits with it, and rolls back', async () => {
      const knex = await databases.init(id);
      // Up to this migration: migrateDownLast then undoes it.
      await migrateUpTo(knex, '20261205000000');
      const [event] = await knex('deploy_events')
        .insert({
          entity_ref: ENTITY,
          environment: 'production',
          environment_class: 'production',
          source: 'github',
          provider: 'github',
          head_sha: 'b'.repeat(40),
          deployment_id: '7',
          queued_at: at,
          finished_at: at,
          outcome: 'succeeded',
          updated_at: at,
        })
        .returning('id');
      const deployEventId = String(event.id ?? event);
      await knex('deploy_change_sets').insert({
        deploy_event_id: deployEventId,
        entity_ref: ENTITY,
        base_sha: 'a'.repeat(40),
        head_sha: 'b'.repeat(40),
        status: 'resolved',
        commit_count: 2,
        resolved_at: at,
      });
      await knex('deploy_commits').insert(
        ['b', 'c'].map(c => ({
          deploy_event_id: deployEventId,
          entity_ref: ENTITY,
          sha: c.repeat(40),
        })),
      );
      await knex('merged_pull_requests').insert({
        entity_ref: ENTITY,
        repository: 'acme/web',
        pr_number: 1,
        merge_commit_sha: 'b'.repeat(40),
        merged_at: at,
        commits_status: 'pending',
        updated_at: at,
      });
      const duplicate = await knex('merged_pull_requests')
        .insert({
          entity_ref: ENTITY,
          repository: 'acme/web',
          pr_number: 1,
          merge_commit_sha: 'c'.repeat(40),
          merged_at: at,
          commits_status: 'pending',
          updated_at: at,
        })
        .then(
          () => 'inserted',
          error => String(error),
        );
      expect(duplicate).not.toBe('inserted');

      await knex('deploy_events').where('id', deployEventId).delete();
      expect(
        Number((await knex('deploy_change_sets').count({ n: '*' }))[0].n),
      ).toBe(0);
      expect(
        Number((await knex('deploy_commits').count({ n: '*' }))[0].n),
      ).toBe(0);
      expect(
        Number((await knex('merged_pull_requests').count({ n: '*' }))[0].n),
      ).toBe(1);

      await migrateDownLast(knex);
      for (const table of [
        'merged_pull_requests',
        'deploy_change_sets',
        'deploy_commits',
        'digest_schedule',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }
      await migrateUpTo(knex, '20261205000000');
      expect(await knex.schema.hasTable('digest_schedule')).toBe(true);
    });
  },
);
