// @ts-check

/**
 * Preview environments, one row per pull request of an entity, and a deploy
 * event per build for the analytics (see src/previews).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('previews', table => {
    table.comment('One preview environment per pull request of an entity');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.integer('pr_number').notNullable();
    table.string('repository', 255).notNullable().comment('owner/name');
    table.text('title').notNullable();
    table.string('branch', 255).notNullable();
    table.string('head_sha', 64).notNullable().comment('The newest head');
    table.string('author', 255).notNullable();
    table.boolean('from_fork').notNullable();
    table.string('provider', 64).notNullable();
    table
      .string('deployment_id', 255)
      .nullable()
      .comment("The provider's id of the deploy of head_sha");
    table.text('url').nullable();
    table
      .string('state', 32)
      .notNullable()
      .comment(
        'queued | building | ready | failed | awaiting-approval | destroying | destroyed | expired',
      );
    table.string('error_class', 32).nullable();
    table.text('error_message').nullable();
    table.string('approved_by', 255).nullable();
    table
      .string('approved_sha', 64)
      .nullable()
      .comment(
        'Fork PRs: the head a maintainer approved; a new push waits again',
      );
    table
      .timestamp('pr_updated_at', { useTz: true })
      .notNullable()
      .comment(
        "The PR's updated_at of the newest event applied: older ones lose",
      );
    table
      .string('closed_as', 16)
      .nullable()
      .comment('merged | closed, once the PR closed');
    table.timestamp('last_push_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'pr_number'], {
      indexName: 'previews_entity_pr_unique',
    });
    table.index(['state', 'expires_at'], 'previews_state_expires_idx');
  });

  await knex.schema.createTable('deploy_events', table => {
    table.comment('One row per preview build, for deploy analytics');
    table.bigIncrements('id').primary();
    table
      .bigInteger('preview_id')
      .notNullable()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.string('head_sha', 64).notNullable();
    table.string('deployment_id', 255).nullable();
    table.timestamp('queued_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.integer('duration_ms').nullable().comment('started to finished');
    table
      .string('outcome', 16)
      .nullable()
      .comment('ready | failed | superseded; null while building');
    table.string('error_code', 255).nullable();
    table
      .string('error_class', 32)
      .nullable()
      .comment(
        'build | configuration | quota | provider-outage | timeout | cancelled | unknown',
      );
    table.index(['entity_ref', 'started_at'], 'deploy_events_entity_idx');
    table.index(['preview_id'], 'deploy_events_preview_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deploy_events');
  await knex.schema.dropTable('previews');
};
