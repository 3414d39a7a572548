import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Browser sessions live in the database so they survive a restart and work across instances.
  await knex.schema.createTable('web_sessions', (t) => {
    t.text('id_hash').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
  // Failed sign-ins, to slow down guessing; old rows are pruned.
  await knex.schema.createTable('sign_in_failures', (t) => {
    t.bigIncrements('id');
    t.text('email').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['email', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sign_in_failures');
  await knex.schema.dropTable('web_sessions');
}
