import type { Knex } from 'knex';

/**
 * Account administration: a user can be disabled (signed out everywhere, tokens revoked,
 * refused at sign-in) and re-enabled, sent a single-use link to set a new password, and
 * seen with their last sign-in. Who did what to an account is kept in an append-only trail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('last_sign_in_at', { useTz: true });
  });
  await knex.schema.createTable('password_resets', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.integer('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
  });
  await knex.schema.createTable('account_events', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('users.id');
    t.text('type').notNullable();
    // Null when the user did it themselves without being signed in (setting a new password from a link).
    t.integer('actor_id').references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['user_id', 'id']);
  });
  await knex.raw(
    'CREATE TRIGGER account_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON account_events FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_events');
  await knex.schema.dropTable('password_resets');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('last_sign_in_at');
    t.dropColumn('disabled_at');
  });
}
