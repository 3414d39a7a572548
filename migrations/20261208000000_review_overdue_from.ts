import type { Knex } from 'knex';

/**
 * With the due day, each review keeps the day its running stage began and the first day it is
 * overdue: the next day counted after the due day (for a target in working days, the Monday
 * after a Friday due day, not the Saturday), so lists and reminders call a review overdue on
 * the day its page does. Filled in for existing reviews when the app starts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.date('clock_started_on');
    t.date('clock_overdue_from');
    t.index(['clock_overdue_from'], 'reviews_clock_overdue_from');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropIndex(['clock_overdue_from'], 'reviews_clock_overdue_from');
    t.dropColumn('clock_started_on');
    t.dropColumn('clock_overdue_from');
  });
}
