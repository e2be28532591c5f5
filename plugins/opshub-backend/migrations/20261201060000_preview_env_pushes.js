// @ts-check

/**
 * What OpsHub pushed of a preview's environment variables to its provider
 * (PreviewProvider.syncEnvironment): the provider's id of each variable it
 * created, per preview and name, so a later push updates or removes exactly
 * those and nothing created by others. No value is stored here. On
 * previews, how many variables the last build was built with and when they
 * were pushed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('preview_env_pushes', table => {
    table.comment(
      'Variables OpsHub created at the provider of a preview for its branch (no values)',
    );
    table
      .bigInteger('preview_id')
      .notNullable()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE');
    table.string('name', 256).notNullable();
    table
      .string('provider_id', 255)
      .notNullable()
      .comment('The id of the variable at the provider (a Vercel env id, ...)');
    table.text('detail').nullable().comment('Provider-specific, never a value');
    table.timestamp('pushed_at', { useTz: true }).notNullable();
    table.primary(['preview_id', 'name']);
  });
  await knex.schema.alterTable('previews', table => {
    table
      .integer('env_var_count')
      .nullable()
      .comment('How many variables its last build was built with');
    table
      .timestamp('env_pushed_at', { useTz: true })
      .nullable()
      .comment('When they were pushed to the provider');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('previews', table => {
    table.dropColumn('env_pushed_at');
    table.dropColumn('env_var_count');
  });
  await knex.schema.dropTable('preview_env_pushes');
};
