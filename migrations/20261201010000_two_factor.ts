import type { Knex } from 'knex';

/**
 * Two-factor sign-in: a user's authenticator (TOTP) secret once confirmed, the last time
 * step used (so a code cannot be used twice), and the hashes of their single-use recovery
 * codes. A secret being set up belongs to one browser session, so nobody else signing in
 * meanwhile can see it. A session that has passed the password but not yet the code is
 * marked, and counts as no one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('totp_secret');
    t.timestamp('totp_enabled_at', { useTz: true });
    t.bigInteger('totp_last_step');
    t.jsonb('recovery_codes').notNullable().defaultTo('[]');
  });
  await knex.schema.alterTable('web_sessions', (t) => {
    t.boolean('second_factor_pending').notNullable().defaultTo(false);
    t.text('totp_pending_secret');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('web_sessions', (t) => {
    t.dropColumn('totp_pending_secret');
    t.dropColumn('second_factor_pending');
  });
  await knex.schema.alterTable('users', (t) => {
    for (const c of ['recovery_codes', 'totp_last_step', 'totp_enabled_at', 'totp_secret']) {
      t.dropColumn(c);
    }
  });
}
