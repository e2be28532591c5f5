// @ts-check

/**
 * DORA's four keys and the weekly digest.
 *
 * - merged_pull_requests: pull requests merged into an entity's repository
 *   (from `pull_request.closed`), with their first commit's author date
 *   (from GitHub's PR commits API) for lead time;
 * - deploy_change_sets / deploy_commits: the commits a successful
 *   production deploy brought (GitHub's compare API between the previous
 *   successful production deploy's head and its own); a deploy's rows go
 *   with it (retention);
 * - digest_schedule: the last scheduled digest run handled, so every run
 *   is enqueued once across restarts and instances;
 * - indexes for DORA's reads: an entity's successful production deploys by
 *   finish (partial) (days with a deploy, and the deploy before an incident) and an
 *   entity's incidents in time order.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('merged_pull_requests', table => {
    table.comment('Pull requests merged into the repositories of entities');
    table.string('entity_ref', 255).notNullable();
    table.string('repository', 255).notNullable().comment('owner/name');
    table.integer('pr_number').notNullable();
    table
      .string('merge_commit_sha', 64)
      .notNullable()
      .comment('The commit the merge put on the base branch');
    table.timestamp('merged_at', { useTz: true }).notNullable();
    table.string('first_commit_sha', 64).nullable();
    table
      .timestamp('first_commit_at', { useTz: true })
      .nullable()
      .comment("The earliest author date among the PR's commits");
    table
      .string('commits_status', 16)
      .notNullable()
      .comment(
        'pending | known | unavailable (no credentials, or GitHub refused)',
      );
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'repository', 'pr_number'],
      'merged_pull_requests_pk',
    );
    table.index(
      ['entity_ref', 'merge_commit_sha'],
      'merged_pull_requests_merge',
    );
  });

  await knex.schema.createTable('deploy_change_sets', table => {
    table.comment(
      'What a successful production deploy changed: compared with the previous one',
    );
    table
      .bigInteger('deploy_event_id')
      .primary()
      .references('id')
      .inTable('deploy_events')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table
      .string('base_sha', 64)
      .nullable()
      .comment(
        "The previous successful production deploy's head; null for the first",
      );
    table.string('head_sha', 64).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('resolved | first (nothing to compare with) | unavailable');
    table.integer('commit_count').notNullable().defaultTo(0);
    table
      .boolean('truncated')
      .notNullable()
      .defaultTo(false)
      .comment('More commits than OpsHub reads were between base and head');
    table.timestamp('resolved_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('deploy_commits', table => {
    table.comment('The commits each successful production deploy brought');
    table
      .bigInteger('deploy_event_id')
      .notNullable()
      .references('id')
      .inTable('deploy_events')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.string('sha', 64).notNullable();
    table.primary(['deploy_event_id', 'sha'], 'deploy_commits_pk');
    table.index(['entity_ref', 'sha'], 'deploy_commits_entity_sha');
  });

  await knex.schema.createTable('digest_schedule', table => {
    table.comment('The weekly digest: the last scheduled run handled');
    table.string('id', 64).primary().comment('weekly-digest');
    table
      .timestamp('last_run_at', { useTz: true })
      .notNullable()
      .comment('The scheduled instant of the last run enqueued (or skipped)');
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.alterTable('health_incidents', table => {
    table.index(['entity_ref', 'opened_at'], 'health_incidents_entity_opened');
  });
  // Partial: only DORA's reads (which name both conditions as literals)
  // can use it, so the analytics keep their (entity_ref, queued_at) index.
  await knex.raw(
    `CREATE INDEX deploy_events_production_succeeded
       ON deploy_events (entity_ref, finished_at, id)
       WHERE environment_class = 'production' AND outcome = 'succeeded'`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX deploy_events_production_succeeded');
  await knex.schema.alterTable('health_incidents', table => {
    table.dropIndex(
      ['entity_ref', 'opened_at'],
      'health_incidents_entity_opened',
    );
  });
  await knex.schema.dropTable('digest_schedule');
  await knex.schema.dropTable('deploy_commits');
  await knex.schema.dropTable('deploy_change_sets');
  await knex.schema.dropTable('merged_pull_requests');
};
