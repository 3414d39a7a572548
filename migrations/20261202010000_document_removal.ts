import type { Knex } from 'knex';

/**
 * A document uploaded in error can be removed, or replaced by another, before it is
 * handed over. Nothing is deleted: it is marked removed (and by which document it was
 * replaced), so the review's history still shows and serves it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.timestamp('removed_at', { useTz: true });
    t.integer('removed_by').references('id').inTable('users');
    t.integer('replaced_by').references('id').inTable('documents');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('replaced_by');
    t.dropColumn('removed_by');
    t.dropColumn('removed_at');
  });
}
