import type { Knex } from 'knex';

/**
 * The CSP's decision whether to hold a review, with its reason, and the QA panel's view of a
 * decision not to: agreed or not, with the comments its letter carries and the meeting that
 * considered it. The review's history keeps each change; these hold the latest.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.text('decision');
    t.text('decision_reason');
    t.timestamp('decided_at', { useTz: true });
    t.integer('decided_by').references('users.id');
    t.text('panel_view');
    t.text('panel_view_comments');
    t.integer('panel_view_meeting_id').references('panel_meetings.id');
    t.timestamp('panel_view_at', { useTz: true });
    t.integer('panel_view_by').references('users.id');
  });
  await knex.raw(
    `alter table reviews add constraint reviews_decision_check check (decision in ('review', 'no_review'))`,
  );
  await knex.raw(
    `alter table reviews add constraint reviews_panel_view_check check (panel_view in ('agree', 'disagree'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropColumn('decision');
    t.dropColumn('decision_reason');
    t.dropColumn('decided_at');
    t.dropColumn('decided_by');
    t.dropColumn('panel_view');
    t.dropColumn('panel_view_comments');
    t.dropColumn('panel_view_meeting_id');
    t.dropColumn('panel_view_at');
    t.dropColumn('panel_view_by');
  });
}
