// @ts-check

/**
 * Roles, part two: each tracked project remembers its catalog owner, so list
 * routes can filter projects by role in SQL; and a per-project activity log
 * (who did what, when) written with every audited mutation.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('projects', table => {
    table
      .string('owner_ref', 255)
      .nullable()
      .comment("The entity's spec.owner as a full ref, lower case");
  });
  await knex.schema.createTable('activity', table => {
    table.comment('Per-project activity log; see src/activity');
    table.bigIncrements('id').primary();
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('The project entity ref, or opshub:installation (org level)');
    table.string('actor_ref', 255).notNullable();
    table.string('action', 64).notNullable();
    table
      .text('details')
      .notNullable()
      .comment('JSON: what the action changed; never a secret value');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['entity_ref', 'id'], 'activity_entity_idx');
    table.index(['created_at'], 'activity_created_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('activity');
  await knex.schema.alterTable('projects', table => {
    table.dropColumn('owner_ref');
  });
};
