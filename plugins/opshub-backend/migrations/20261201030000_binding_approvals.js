// @ts-check

/**
 * Verified repository bindings (see src/projects/bindings.ts): each project
 * remembers its entity's catalog location and whether that location, or
 * `opshub.github.approvedBindings`, proves its claim on its repository; org
 * owners' approvals live in their own table, keyed by entity ref, and count
 * only while the entity still names the approved repository.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('projects', table => {
    table
      .text('location')
      .nullable()
      .comment("The entity's backstage.io/managed-by-location, as last read");
    table
      .string('verified_by', 16)
      .nullable()
      .comment(
        'What proves the repository binding when the project was written: location or config; null: nothing (an approval may still)',
      );
  });
  await knex.schema.createTable('binding_approvals', table => {
    table.comment('Approvals of repository bindings by org owners');
    table.string('entity_ref', 255).primary().comment('Full entity ref');
    table
      .string('repo_slug', 255)
      .notNullable()
      .comment('The approved repository, owner/repo, lower case');
    table.string('approved_by', 255).notNullable().comment('User entity ref');
    table.timestamp('approved_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('binding_approvals');
  await knex.schema.alterTable('projects', table => {
    table.dropColumn('verified_by');
    table.dropColumn('location');
  });
};
