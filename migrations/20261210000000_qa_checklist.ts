import type { Knex } from 'knex';

/**
 * The QA checklist:
 * - `qa_criteria_versions`: the criteria reports are judged against, as the secretariat saves
 *   them, every version kept (until the first is saved, the shipped list in
 *   src/qa/criteria.ts is version 0);
 * - `qa_marks`: each criterion marked met, partly met or not met, with a note, by the panel for
 *   the meeting that assessed the review, or by the CSP as a self-check before it submits. The
 *   criterion's title and the wording of its draft area are kept as they were when it was
 *   marked, so a later version of the list never rewrites an assessment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('qa_criteria_versions', (t) => {
    t.increments('id');
    t.integer('version').notNullable().unique();
    t.jsonb('criteria').notNullable();
    t.integer('saved_by').references('users.id');
    t.timestamp('saved_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('qa_marks', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.text('source').notNullable();
    // The meeting whose assessment it is; none for a CSP's self-check.
    t.integer('panel_meeting_id').references('panel_meetings.id');
    t.integer('criteria_version').notNullable();
    t.text('criterion').notNullable();
    t.text('title').notNullable();
    t.text('area_text').notNullable();
    t.text('mark').notNullable();
    t.text('note').notNullable().defaultTo('');
    t.integer('recorded_by').notNullable().references('users.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.index(['review_id']);
  });
  await knex.raw(`ALTER TABLE qa_marks ADD CONSTRAINT qa_marks_source CHECK (
    (source = 'panel' AND panel_meeting_id IS NOT NULL) OR (source = 'csp' AND panel_meeting_id IS NULL))`);
  await knex.raw(`ALTER TABLE qa_marks ADD CONSTRAINT qa_marks_mark CHECK (mark IN ('met', 'partly', 'not_met'))`);
  await knex.raw(
    `CREATE UNIQUE INDEX qa_marks_one ON qa_marks (review_id, source, coalesce(panel_meeting_id, 0), criterion)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('qa_marks');
  await knex.schema.dropTable('qa_criteria_versions');
}
