import type { Knex } from 'knex';

/**
 * The targets each stage of a review is measured against, as the secretariat saves them: one
 * row per version, never changed, so a stage keeps the target in force when it began. Until
 * the first is saved, the shipped targets apply (src/clocks/defaults.ts). Kept in each process
 * and versioned like the settings (see the cache_versions migration).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stage_targets', (t) => {
    t.increments('id');
    t.jsonb('targets').notNullable();
    t.integer('due_soon_days').notNullable();
    t.jsonb('bank_holidays').notNullable();
    t.integer('created_by').references('id').inTable('users');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `CREATE TRIGGER stage_targets_cache_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stage_targets
       FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('stage_targets')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stage_targets');
}
