// @ts-check

/**
 * Exclusion groups and coalescing order for jobs (see src/queue/types.ts):
 * at most one job of a group runs at a time, held by a unique index over the
 * running jobs' groups; a waiting job is replaced only by one whose order is
 * not lower.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('jobs', table => {
    table
      .string('exclusion_group', 255)
      .nullable()
      .comment('At most one running job per group');
    table
      .string('order_key', 64)
      .nullable()
      .comment('A waiting job is replaced only by one not lower');
  });
  // Partial: the intake's inserts (queued jobs) never touch it.
  await knex.raw(
    `CREATE UNIQUE INDEX jobs_running_group_unique ON jobs (exclusion_group) WHERE state = 'running'`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw(`DROP INDEX jobs_running_group_unique`);
  await knex.schema.alterTable('jobs', table => {
    table.dropColumn('order_key');
    table.dropColumn('exclusion_group');
  });
};
