// @ts-check

/**
 * pull_request_closes: the latest close OpsHub saw of a PR that had no
 * preview then (GitHub does not order deliveries), stamped with the PR's
 * `updated_at` in that event, so an older `opened`/`synchronize` handled
 * after it builds nothing. Not a preview: the Previews tab and the list API
 * never show it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pull_request_closes', table => {
    table.comment('Closes of pull requests that had no preview when handled');
    table.string('entity_ref', 255).notNullable();
    table.integer('pr_number').notNullable();
    table
      .timestamp('pr_updated_at', { useTz: true })
      .notNullable()
      .comment("The PR's updated_at in the closing event");
    table.primary(['entity_ref', 'pr_number'], 'pull_request_closes_pk');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('pull_request_closes');
};
