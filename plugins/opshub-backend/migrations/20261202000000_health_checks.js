// @ts-check

/**
 * Health checks: their definitions and standing (health_checks), every
 * probe (health_samples) and the times a check spent degraded or down
 * (health_incidents).
 *
 * health_samples is the one table that grows with load (5,000 checks at a
 * 30 s interval write 14.4 million rows a day), so it is laid out for
 * size: no primary key, no foreign key (no lookup per insert; a check's
 * samples are deleted with it), the columns ordered so a row is 48 bytes
 * on PostgreSQL, and one index on (check, hour of the sample, a 4-byte
 * integer) whose equal keys btree deduplication stores once for a whole
 * hour of a check.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('health_checks', table => {
    table.comment('HTTP checks OpsHub probes per catalog entity');
    table.increments('id');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('kind:namespace/name, lower case');
    table.string('name', 100).notNullable();
    table
      .string('source', 16)
      .notNullable()
      .comment('api, or annotation: kept in sync with opshub.dev/health-url');
    table.text('url').notNullable();
    table.string('method', 8).notNullable();
    table.string('expected_status', 200).notNullable();
    table.text('body_contains').nullable();
    table.text('json_path').nullable();
    table
      .text('json_equals')
      .nullable()
      .comment('The JSON text the value at json_path must equal');
    table.integer('timeout_ms').notNullable();
    table.integer('interval_ms').notNullable();
    table.integer('degraded_latency_ms').nullable();
    table.integer('failure_threshold').notNullable();
    table.integer('recovery_threshold').notNullable();
    table.boolean('enabled').notNullable();
    table
      .text('config_error')
      .nullable()
      .comment('Why the check cannot be probed, e.g. a refused annotation URL');
    table.string('state', 16).notNullable().defaultTo('unknown');
    table.integer('consecutive_failures').notNullable().defaultTo(0);
    table
      .integer('consecutive_bad')
      .notNullable()
      .defaultTo(0)
      .comment('Consecutive probes that were degraded or failed');
    table.integer('consecutive_successes').notNullable().defaultTo(0);
    table.timestamp('last_probe_at', { useTz: true }).nullable();
    table.integer('last_latency_ms').nullable();
    table.integer('last_status_code').nullable();
    table.string('last_error_class', 16).nullable();
    table
      .bigInteger('next_probe_at_ms')
      .nullable()
      .comment('When the next probe is due (epoch ms); null: none scheduled');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'name'], {
      indexName: 'health_checks_entity_name_unique',
    });
    table.index(['next_probe_at_ms'], 'health_checks_next_probe');
  });

  await knex.schema.createTable('health_samples', table => {
    table.comment('One row per probe; see the migration for its layout');
    table.bigInteger('at_ms').notNullable().comment('Probe start, epoch ms');
    table.integer('check_id').notNullable();
    table.integer('latency_ms').notNullable();
    table.smallint('status_code').nullable();
    table
      .smallint('outcome')
      .notNullable()
      .comment('0 success, 1 degraded, 2 failure');
    table
      .smallint('error_class')
      .nullable()
      .comment('Index into HEALTH_ERROR_CLASSES of opshub-common');
  });
  await knex.raw(
    // The hour as a 4-byte integer: two 4-byte keys make a 16-byte index
    // tuple, where a bigint hour needs 24.
    'CREATE INDEX health_samples_check_hour ON health_samples (check_id, (CAST(at_ms / 3600000 AS INTEGER)))',
  );

  await knex.schema.createTable('health_incidents', table => {
    table.comment('Times a check spent degraded or down');
    table.increments('id');
    table
      .integer('check_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('health_checks')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('The worst state reached: degraded or down');
    table.string('error_class', 16).nullable();
    table.timestamp('opened_at', { useTz: true }).notNullable();
    table.timestamp('closed_at', { useTz: true }).nullable();
    table.index(['check_id', 'opened_at'], 'health_incidents_check_opened');
  });
  // At most one open incident per check.
  await knex.raw(
    'CREATE UNIQUE INDEX health_incidents_one_open ON health_incidents (check_id) WHERE closed_at IS NULL',
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('health_incidents');
  await knex.schema.dropTable('health_samples');
  await knex.schema.dropTable('health_checks');
};
