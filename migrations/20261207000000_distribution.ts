import type { Knex } from 'knex';

/**
 * Where each approved review's final report went: one row each time the CSP or the secretariat
 * records that it reached one of the recipients the statutory guidance names (the Home Office,
 * the Domestic Abuse Commissioner, the PCC, the family, the DHR Library listing), dated, with
 * its evidence: the email sent through the outbox, or a note. Never changed: a correction is a
 * new row, and the newest for a recipient is the one that counts. A review can be closed once
 * every recipient has one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('distribution_entries', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.text('recipient').notNullable();
    t.date('sent_on').notNullable();
    t.text('how').notNullable();
    t.bigInteger('outbox_id').references('outbox.id');
    t.text('note');
    t.integer('recorded_by').notNullable().references('users.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.index(['review_id']);
  });
  await knex.raw(`ALTER TABLE distribution_entries ADD CONSTRAINT distribution_entries_recipient
    CHECK (recipient IN ('home_office', 'commissioner', 'pcc', 'family', 'library'))`);
  await knex.raw(`ALTER TABLE distribution_entries ADD CONSTRAINT distribution_entries_evidence
    CHECK ((how = 'email' AND outbox_id IS NOT NULL) OR (how = 'note' AND note IS NOT NULL AND outbox_id IS NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('distribution_entries');
}
