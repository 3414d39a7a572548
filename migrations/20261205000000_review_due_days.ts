import type { Knex } from 'knex';

/**
 * Each review keeps the stage its clock is running against and the last day within that
 * stage's target (src/clocks), written with every change of state, so that what is overdue
 * (the dashboard, the reviews list, the reminders) is one indexed comparison with today and
 * agrees with the clocks on the review's page. Both are null while no clock runs: on hold,
 * withdrawn, published, or the revisions with the secretariat. Existing reviews are measured
 * when the app next starts. The reminder intervals the settings held are replaced by the
 * stage targets, so their stored values go.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.text('clock_stage');
    t.date('clock_due_on');
    t.index(['clock_due_on'], 'reviews_clock_due_on');
  });
  const retired = () =>
    knex('settings').whereIn('key', ['draftLetterAlertDays', 'revisionReminderDays', 'publicationReminderDays']);
  // Only when there are some: a delete, even of nothing, counts as a change of the settings.
  if (await retired().first('key')) await retired().delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropIndex(['clock_due_on'], 'reviews_clock_due_on');
    t.dropColumn('clock_stage');
    t.dropColumn('clock_due_on');
  });
}
