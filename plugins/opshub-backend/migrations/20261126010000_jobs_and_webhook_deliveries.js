// @ts-check

/**
 * The durable job queue and the GitHub webhook deliveries it is fed from.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('jobs', table => {
    table.comment('OpsHub job queue; see src/queue');
    table.bigIncrements('id').primary();
    table.string('type', 64).notNullable();
    table
      .string('key', 255)
      .nullable()
      .comment(
        'Unique among queued jobs: a newer enqueue replaces the waiting one',
      );
    table.text('payload').notNullable().comment('JSON');
    table
      .string('state', 16)
      .notNullable()
      .comment('queued | running | succeeded | dead | cancelled');
    table.integer('priority').notNullable().defaultTo(0);
    table.integer('attempts').notNullable().defaultTo(0);
    table.integer('max_attempts').notNullable();
    table.timestamp('run_at', { useTz: true }).notNullable();
    table.string('locked_by', 255).nullable();
    table.timestamp('locked_until', { useTz: true }).nullable();
    table.text('last_error').nullable();
    table.string('error_class', 64).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
  });
  // Partial indexes: both PostgreSQL and SQLite have them.
  await knex.raw(
    `CREATE UNIQUE INDEX jobs_queued_key_unique ON jobs ("key") WHERE state = 'queued'`,
  );
  await knex.raw(
    `CREATE INDEX jobs_claim_idx ON jobs (type, priority DESC, run_at, id) WHERE state = 'queued'`,
  );
  await knex.raw(
    `CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running'`,
  );
  await knex.schema.alterTable('jobs', table => {
    table.index(['state', 'finished_at'], 'jobs_state_finished_idx');
  });

  await knex.schema.createTable('webhook_deliveries', table => {
    table.comment('GitHub webhook deliveries, kept for the retention window');
    table.string('delivery_id', 100).primary().comment('X-GitHub-Delivery');
    table.string('event', 100).notNullable();
    table.string('action', 100).nullable();
    table.string('repository', 255).nullable().comment('owner/repo');
    table.timestamp('received_at', { useTz: true }).notNullable();
    table
      .string('outcome', 16)
      .notNullable()
      .comment('enqueued | unmatched | ignored');
    table.integer('job_count').notNullable().defaultTo(0);
    table.integer('redeliveries').notNullable().defaultTo(0);
    table.text('payload').notNullable().comment('The raw body, as signed');
    table.index(['received_at'], 'webhook_deliveries_received_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('jobs');
};
