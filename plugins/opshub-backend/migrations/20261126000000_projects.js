// @ts-check

/**
 * Catalog entities OpsHub tracks, synced from the catalog by the
 * opshub-project-sync task. Several entities may share one repository.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('projects', table => {
    table.comment('Catalog entities that name a GitHub repository');
    table.string('entity_ref', 255).primary().comment('Full entity ref');
    table
      .string('repo_slug', 255)
      .notNullable()
      .index()
      .comment('owner/repo, lower case');
    table.string('preview_provider', 64).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('projects');
};
