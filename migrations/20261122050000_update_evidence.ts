import type { Knex } from 'knex';

/** A progress update may carry a document as evidence (a PDF, DOCX or ODT). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('action_updates', (t) => {
    t.text('evidence_filename');
    t.text('evidence_content_type');
    t.binary('evidence');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('action_updates', (t) => {
    t.dropColumn('evidence_filename');
    t.dropColumn('evidence_content_type');
    t.dropColumn('evidence');
  });
}
