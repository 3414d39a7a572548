import type { Knex } from 'knex';

/**
 * A form sent after its session ran out is kept, for its user alone and for an hour, so
 * that signing in again gives back what was typed rather than losing it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('kept_forms', (t) => {
    t.text('id_hash').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('action').notNullable();
    t.jsonb('fields').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('kept_forms');
}
