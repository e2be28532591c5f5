// @ts-check

/**
 * Every deploy OpsHub asks a provider for, recorded as an intent before the
 * provider is called (so a crash between the call and its answer leaks
 * nothing: the retry looks the deploy up first, and teardown destroys every
 * one); and, on previews, the build number that names each intent and why a
 * torn-down preview went down (some reasons keep it down).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('previews', table => {
    table
      .integer('build_number')
      .notNullable()
      .defaultTo(0)
      .comment('Counts the times the preview was queued to build');
    table
      .string('teardown_reason', 16)
      .nullable()
      .comment(
        'pr-closed | skip-rule | destroyed | expired: the last teardown; destroyed and expired stay down until a new head, a reopen or a redeploy',
      );
  });

  await knex.schema.createTable('preview_deploys', table => {
    table.comment('Every deploy OpsHub started (or meant to) for a preview');
    table.bigIncrements('id').primary();
    table
      .bigInteger('preview_id')
      .notNullable()
      .references('id')
      .inTable('previews')
      .onDelete('CASCADE');
    table.integer('build_number').notNullable();
    table.string('head_sha', 64).notNullable();
    table.string('provider', 64).notNullable();
    table
      .string('deployment_id', 255)
      .nullable()
      .comment("The provider's id; null while only the intent is recorded");
    table
      .string('state', 16)
      .notNullable()
      .comment('intended | created | destroyed');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['preview_id', 'build_number'], {
      indexName: 'preview_deploys_build_unique',
    });
  });

  // Deploys of previews that are up now, made before intents were recorded.
  await knex.raw(
    `INSERT INTO preview_deploys (preview_id, build_number, head_sha, provider,
       deployment_id, state, created_at, updated_at)
     SELECT id, 0, head_sha, provider, deployment_id, 'created',
       updated_at, updated_at
     FROM previews
     WHERE deployment_id IS NOT NULL AND state NOT IN ('destroyed', 'expired')`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('preview_deploys');
  await knex.schema.alterTable('previews', table => {
    table.dropColumn('teardown_reason');
    table.dropColumn('build_number');
  });
};
