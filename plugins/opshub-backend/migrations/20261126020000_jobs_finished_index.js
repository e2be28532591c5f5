// @ts-check

/**
 * Only finished jobs need an index on their finish time (retention deletes
 * by it), so enqueueing no longer writes an entry into it: one index fewer
 * on the webhook intake's hot path.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('jobs', table => {
    table.dropIndex(['state', 'finished_at'], 'jobs_state_finished_idx');
  });
  await knex.raw(
    `CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw(`DROP INDEX jobs_finished_idx`);
  await knex.schema.alterTable('jobs', table => {
    table.index(['state', 'finished_at'], 'jobs_state_finished_idx');
  });
};
