// @ts-check

/**
 * Which entities' provider projects were checked to be linked to their
 * repository (PreviewProvider.checkRepository), and with which annotations:
 * a change of them checks again before the next build.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('provider_repository_checks', table => {
    table.comment(
      'Provider projects checked to be linked to the repository of their entity',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table
      .string('fingerprint', 64)
      .notNullable()
      .comment('sha256 of the repository and annotations the check passed for');
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'provider']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('provider_repository_checks');
};
