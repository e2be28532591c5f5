// @ts-check

/**
 * What OpsHub last wrote to GitHub for each preview (commit status,
 * deployment and its state, the PR comment), so it never writes the same
 * thing twice (see src/github).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('preview_github', table => {
    table.comment('The last writes OpsHub made to GitHub, per preview');
    table
      .bigInteger('preview_id')
      .primary()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE');
    table
      .string('status_key', 600)
      .nullable()
      .comment('sha, state, target and description of the last status');
    table.bigInteger('deployment_id').nullable();
    table.string('deployment_sha', 64).nullable();
    table.string('deployment_state', 16).nullable();
    table.bigInteger('comment_id').nullable();
    table
      .string('comment_key', 64)
      .nullable()
      .comment('Digest of the last comment body');
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('preview_github');
};
