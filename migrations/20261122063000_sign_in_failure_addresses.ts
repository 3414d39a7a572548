import type { Knex } from 'knex';

/**
 * Failed sign-ins also remember the client's address, so guessing is limited per
 * address (across every email it tries) as well as per email. Kept in the database,
 * like the per-email count, so the limit holds across several app instances.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sign_in_failures', (t) => {
    t.text('address');
    t.index(['address', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sign_in_failures', (t) => {
    t.dropIndex(['address', 'at']);
    t.dropColumn('address');
  });
}
