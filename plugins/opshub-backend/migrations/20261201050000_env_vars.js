// @ts-check

/**
 * Environment variables, encrypted (AES-256-GCM; see src/envvars): the
 * current value of each variable and every version of it. Ciphertext, IV,
 * tag and key id are stored apart; plaintext is never stored.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  /** @param {import('knex').Knex.CreateTableBuilder} table */
  const sealed = table => {
    table.binary('ciphertext').notNullable();
    table.binary('iv').notNullable().comment('96 random bits per write');
    table.binary('tag').notNullable().comment('GCM authentication tag');
    table.string('key_id', 64).notNullable();
  };
  await knex.schema.createTable('env_vars', table => {
    table.comment('The current value of each environment variable');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 32).notNullable();
    table
      .string('branch', 255)
      .notNullable()
      .defaultTo('')
      .comment("A preview branch override; '' for the environment's value");
    table.string('name', 256).notNullable();
    table.integer('version').notNullable();
    table.boolean('sensitive').notNullable().defaultTo(false);
    sealed(table);
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'environment', 'branch', 'name'], {
      indexName: 'env_vars_variable_unique',
    });
    table.index(['key_id'], 'env_vars_key_idx');
  });
  await knex.schema.createTable('env_var_versions', table => {
    table.comment('Every version of each variable, deletes included');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 32).notNullable();
    table.string('branch', 255).notNullable().defaultTo('');
    table.string('name', 256).notNullable();
    table.integer('version').notNullable();
    table.boolean('sensitive').notNullable().defaultTo(false);
    table.boolean('deleted').notNullable().defaultTo(false);
    table.binary('ciphertext').nullable().comment('null for a delete');
    table.binary('iv').nullable();
    table.binary('tag').nullable();
    table.string('key_id', 64).nullable();
    table.string('actor', 255).notNullable();
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'environment', 'branch', 'name', 'version'], {
      indexName: 'env_var_versions_unique',
    });
    table.index(['key_id'], 'env_var_versions_key_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_var_versions');
  await knex.schema.dropTable('env_vars');
};
