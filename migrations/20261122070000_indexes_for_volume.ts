import type { Knex } from 'knex';

/**
 * Indexes found by the benchmark at 20,000 reviews (npm run bench):
 * - the dashboard's lists take the longest-waiting reviews of a state;
 * - the reviews list counts the reviews of a state with their CSP (its scope's join)
 *   from the index alone; it replaces the index on state, its prefix;
 * - "approved since" for the overdue rule and the stage medians read only the
 *   events that changed a review's state, a small part of its history;
 * - the count of failed emails, on every dashboard, reads only failed mail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX reviews_state_waiting ON reviews (state, updated_at, id)');
  await knex.raw('CREATE INDEX reviews_state_csp ON reviews (state, csp_id)');
  await knex.raw('DROP INDEX reviews_state_index');
  await knex.raw(
    'CREATE INDEX review_events_state_changes ON review_events (review_id, to_state, at) WHERE from_state IS DISTINCT FROM to_state',
  );
  await knex.raw("CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_failed');
  await knex.raw('DROP INDEX review_events_state_changes');
  await knex.raw('CREATE INDEX reviews_state_index ON reviews (state)');
  await knex.raw('DROP INDEX reviews_state_csp');
  await knex.raw('DROP INDEX reviews_state_waiting');
}
