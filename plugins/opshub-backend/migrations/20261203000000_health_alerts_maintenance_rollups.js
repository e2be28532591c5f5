// @ts-check

/**
 * Health checks, part 2: request headers, certificate expiry and alert
 * settings per check, and the bookkeeping of its alerts; checks of
 * previews; maintenance windows; samples taken during one; hourly rollups.
 *
 * health_samples gains a boolean: on PostgreSQL its row stays 48 bytes
 * (the 22 bytes of data become 23 within the same alignment), and adding
 * a column with a constant default rewrites nothing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('health_checks', table => {
    table
      .text('headers')
      .nullable()
      .comment('Request headers as a JSON object; values may hold env refs');
    table.integer('cert_expiry_days').nullable();
    table
      .text('last_error_message')
      .nullable()
      .comment('Why the last probe failed or was degraded, for people');
    table.integer('alert_cooldown_ms').notNullable().defaultTo(900_000);
    table.integer('reminder_interval_ms').notNullable().defaultTo(14_400_000);
    table
      .bigInteger('preview_id')
      .nullable()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE')
      .comment('The preview a preview check watches (source preview)');
    table
      .string('alerted_state', 16)
      .nullable()
      .comment('The state last alerted in the current bad spell; null: none');
    table
      .bigInteger('last_alert_at_ms')
      .nullable()
      .comment('When the last alert went out (the cooldown runs from it)');
    table
      .bigInteger('last_notice_at_ms')
      .nullable()
      .comment('When the last alert or reminder went out');
    table
      .bigInteger('alert_due_at_ms')
      .nullable()
      .comment('When the alerts of the check are to be decided again');
    table.unique(['preview_id'], {
      indexName: 'health_checks_preview_unique',
    });
    table.index(['alert_due_at_ms'], 'health_checks_alert_due');
  });

  await knex.schema.alterTable('health_samples', table => {
    table
      .boolean('in_maintenance')
      .notNullable()
      .defaultTo(false)
      .comment('Taken in a maintenance window: left out of uptime and rollups');
  });

  await knex.schema.createTable('health_maintenance_windows', table => {
    table.comment('Maintenance windows of health checks, once or weekly');
    table.increments('id');
    table
      .integer('check_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('health_checks')
      .onDelete('CASCADE');
    table.string('kind', 8).notNullable().comment('once or weekly');
    table.string('time_zone', 64).notNullable().comment('IANA zone name');
    table
      .string('starts_at', 16)
      .nullable()
      .comment('once: local start, YYYY-MM-DDTHH:mm in time_zone');
    table
      .string('ends_at', 16)
      .nullable()
      .comment('once: local end, YYYY-MM-DDTHH:mm in time_zone');
    table
      .bigInteger('ends_at_ms')
      .nullable()
      .comment('once: the end as epoch ms (past windows are dropped)');
    table
      .string('days', 32)
      .nullable()
      .comment('weekly: comma-separated mon..sun');
    table.string('start_time', 5).nullable().comment('weekly: HH:mm local');
    table.integer('duration_minutes').nullable().comment('weekly');
    table.text('reason').nullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['check_id'], 'health_maintenance_windows_check');
  });

  await knex.schema.createTable('health_rollups', table => {
    table.comment('One row per check and hour of its probes (kept 90 days)');
    table.integer('check_id').notNullable();
    table
      .integer('hour')
      .notNullable()
      .comment('The hour as epoch ms / 3600000');
    table.integer('count').notNullable();
    table.integer('failures').notNullable();
    table.integer('degraded').notNullable();
    table.integer('p50_latency_ms').nullable();
    table.integer('p95_latency_ms').nullable();
    table.integer('p99_latency_ms').nullable();
    table.primary(['check_id', 'hour'], 'health_rollups_pkey');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('health_rollups');
  await knex.schema.dropTable('health_maintenance_windows');
  await knex.schema.alterTable('health_samples', table => {
    table.dropColumn('in_maintenance');
  });
  await knex.schema.alterTable('health_checks', table => {
    table.dropIndex(['alert_due_at_ms'], 'health_checks_alert_due');
    table.dropUnique(['preview_id'], 'health_checks_preview_unique');
    table.dropForeign(['preview_id']);
    table.dropColumns(
      'headers',
      'cert_expiry_days',
      'last_error_message',
      'alert_cooldown_ms',
      'reminder_interval_ms',
      'preview_id',
      'alerted_state',
      'last_alert_at_ms',
      'last_notice_at_ms',
      'alert_due_at_ms',
    );
  });
};
