// @ts-check

/**
 * Deploy analytics: deploy_events becomes the record of every deploy,
 * previews and GitHub production deployments alike. It no longer belongs
 * to a preview (no foreign key: a preview's events outlive it), names its
 * environment, and knows when it last changed (updated_at: the daily stats
 * recompute the days of events changed since their last run). Outcomes are
 * succeeded, failed, cancelled or superseded (a preview's `ready` becomes
 * `succeeded`). daily_deploy_stats keeps one row per entity, environment
 * class (all, production, preview) and UTC day for charts and the overview.
 *
 * The table is rebuilt (create, copy, drop, rename): SQLite cannot drop a
 * foreign key in place.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deploy_events_new', table => {
    table.comment(
      'Every deploy OpsHub saw: preview builds and GitHub deployments',
    );
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table
      .string('environment', 255)
      .notNullable()
      .comment('The raw environment name; preview for OpsHub previews');
    table
      .string('environment_class', 16)
      .notNullable()
      .comment('production or preview');
    table
      .string('source', 16)
      .notNullable()
      .comment('preview: an OpsHub preview build; github: a GitHub deployment');
    table.string('provider', 64).notNullable();
    table.string('repository', 255).nullable();
    table.string('head_sha', 64).notNullable();
    table.integer('pr_number').nullable();
    table
      .bigInteger('preview_id')
      .nullable()
      .comment('The preview built (no foreign key: events outlive previews)');
    table
      .string('deployment_id', 255)
      .nullable()
      .comment("The provider's id of the deploy, or GitHub's deployment id");
    table.text('url').nullable().comment("The deploy's page, when known");
    table.timestamp('queued_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table
      .string('outcome', 16)
      .nullable()
      .comment(
        'succeeded | failed | cancelled | superseded; null while running',
      );
    table.string('error_code', 255).nullable();
    table
      .string('error_class', 32)
      .nullable()
      .comment(
        'build | configuration | quota | provider-outage | timeout | cancelled | stuck | unknown',
      );
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('Set by every write: the daily stats recompute changed days');
  });

  const hasRows = await knex('deploy_events').first('id');
  if (hasRows) {
    await knex.raw(
      `INSERT INTO deploy_events_new
         (id, entity_ref, environment, environment_class, source, provider,
          head_sha, preview_id, deployment_id, queued_at, started_at,
          finished_at, outcome, error_code, error_class, updated_at)
       SELECT id, entity_ref, 'preview', 'preview', 'preview', provider,
              head_sha, preview_id, deployment_id, queued_at, started_at,
              finished_at,
              CASE WHEN outcome = 'ready' THEN 'succeeded' ELSE outcome END,
              error_code, error_class,
              COALESCE(finished_at, started_at, queued_at)
       FROM deploy_events`,
    );
  }
  await knex.schema.dropTable('deploy_events');
  await knex.schema.renameTable('deploy_events_new', 'deploy_events');
  if (knex.client.config.client === 'pg') {
    // Continue the copied ids.
    await knex.raw(
      `SELECT setval(pg_get_serial_sequence('deploy_events', 'id'),
                     COALESCE((SELECT MAX(id) FROM deploy_events), 0) + 1,
                     false)`,
    );
  }
  if (knex.client.config.client === 'pg') {
    // Covering: an entity's analytics read only the index.
    await knex.raw(
      `CREATE INDEX deploy_events_entity_queued ON deploy_events
         (entity_ref, queued_at)
         INCLUDE (environment_class, outcome, error_class, started_at,
                  finished_at)`,
    );
  } else {
    await knex.schema.alterTable('deploy_events', table => {
      table.index(['entity_ref', 'queued_at'], 'deploy_events_entity_queued');
    });
  }
  await knex.schema.alterTable('deploy_events', table => {
    table.index(['updated_at'], 'deploy_events_updated');
    table.index(['preview_id'], 'deploy_events_preview');
  });
  // One event per GitHub deployment and entity.
  await knex.raw(
    `CREATE UNIQUE INDEX deploy_events_github_deployment
     ON deploy_events (entity_ref, deployment_id) WHERE source = 'github'`,
  );

  await knex.schema.createTable('daily_deploy_stats', table => {
    table.comment('Deploys per entity, environment class and UTC day');
    table.string('entity_ref', 255).notNullable();
    table
      .string('environment_class', 16)
      .notNullable()
      .comment('all, production or preview');
    table.string('day', 10).notNullable().comment('YYYY-MM-DD, UTC');
    table.integer('total').notNullable();
    table.integer('succeeded').notNullable();
    table.integer('failed').notNullable();
    table.integer('cancelled').notNullable();
    table.integer('superseded').notNullable();
    table.bigInteger('total_p50_ms').nullable();
    table.bigInteger('total_p95_ms').nullable();
    table.bigInteger('total_p99_ms').nullable();
    table.bigInteger('build_p50_ms').nullable();
    table.bigInteger('build_p95_ms').nullable();
    table.bigInteger('build_p99_ms').nullable();
    table
      .text('error_classes')
      .notNullable()
      .comment('Failed deploys by error class, a JSON object');
    table.timestamp('computed_at', { useTz: true }).notNullable();
    table.primary(
      ['entity_ref', 'environment_class', 'day'],
      'daily_deploy_stats_pkey',
    );
  });
  await knex.schema.createTable('deploy_stats_runs', table => {
    table.comment('How far the daily stats have read deploy_events.updated_at');
    table.string('id', 32).primary();
    table.timestamp('read_until', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deploy_stats_runs');
  await knex.schema.dropTable('daily_deploy_stats');
  await knex.raw('DROP INDEX deploy_events_github_deployment');
  await knex.schema.createTable('deploy_events_old', table => {
    table.bigIncrements('id').primary();
    table
      .bigInteger('preview_id')
      .notNullable()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.string('provider', 64).notNullable();
    table.string('head_sha', 64).notNullable();
    table.string('deployment_id', 255).nullable();
    table.timestamp('queued_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.integer('duration_ms').nullable();
    table.string('outcome', 16).nullable();
    table.string('error_code', 255).nullable();
    table.string('error_class', 32).nullable();
  });
  await knex.raw(
    `INSERT INTO deploy_events_old
       (id, preview_id, entity_ref, provider, head_sha, deployment_id,
        queued_at, started_at, finished_at, outcome, error_code, error_class)
     SELECT e.id, e.preview_id, e.entity_ref, e.provider, e.head_sha,
            e.deployment_id, e.queued_at, COALESCE(e.started_at, e.queued_at),
            e.finished_at,
            CASE WHEN e.outcome = 'succeeded' THEN 'ready' ELSE e.outcome END,
            e.error_code, e.error_class
     FROM deploy_events e
     WHERE e.source = 'preview'
       AND e.preview_id IN (SELECT id FROM previews)`,
  );
  await knex.schema.dropTable('deploy_events');
  await knex.schema.renameTable('deploy_events_old', 'deploy_events');
  if (knex.client.config.client === 'pg') {
    // Continue the copied ids.
    await knex.raw(
      `SELECT setval(pg_get_serial_sequence('deploy_events', 'id'),
                     COALESCE((SELECT MAX(id) FROM deploy_events), 0) + 1,
                     false)`,
    );
  }
  await knex.schema.alterTable('deploy_events', table => {
    table.index(['entity_ref', 'started_at'], 'deploy_events_entity_idx');
    table.index(['preview_id'], 'deploy_events_preview_idx');
  });
};
