// @ts-check

/**
 * Messages OpsHub sent to people (Slack now, Backstage notifications later),
 * one row per channel, subject and transition, so a retried job does not
 * send the same message again (see src/notifications).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sent_messages', table => {
    table.comment('Messages sent, so a repeated job sends each at most once');
    table
      .string('channel', 32)
      .notNullable()
      .comment('How it was sent: slack, ...');
    table
      .string('subject', 255)
      .notNullable()
      .comment('What it is about, e.g. preview:<id>');
    table
      .string('transition', 255)
      .notNullable()
      .comment("The subject's change it tells of, e.g. ready@<ISO time>");
    table
      .string('recipient', 255)
      .nullable()
      .comment('Where it went, e.g. the Slack channel');
    table.timestamp('sent_at', { useTz: true }).notNullable();
    table.primary(['channel', 'subject', 'transition']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sent_messages');
};
