// @ts-check

/**
 * OpsHub role assignments: a user or group holds a role on one project (its
 * catalog entity ref) or, with the reserved ref `opshub:installation`, on
 * the whole installation.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('role_assignments', table => {
    table.comment('OpsHub roles of users and groups; see src/rbac');
    table.bigIncrements('id').primary();
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('The project entity ref, or opshub:installation (org level)');
    table
      .string('subject_ref', 255)
      .notNullable()
      .comment('user:<ns>/<name> or group:<ns>/<name>, lower case');
    table
      .string('role', 16)
      .notNullable()
      .comment('viewer | developer | maintainer | owner');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'subject_ref'], {
      indexName: 'role_assignments_entity_subject_unique',
    });
    table.index(['subject_ref'], 'role_assignments_subject_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('role_assignments');
};
