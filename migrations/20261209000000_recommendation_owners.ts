import type { Knex } from 'knex';

/**
 * Recommendations that reach their owners:
 * - each recommendation has a level (local, regional or national); a national one waits in the
 *   secretariat's triage queue until the government department or national body that owns it is
 *   assigned (`triaged_at`), and until then no organisation sees it;
 * - each organisation's part is assigned on a day, acknowledged, and due a response by a day the
 *   secretariat or the CSP can move on with a reason;
 * - its status is stored on the Domestic Abuse Commissioner's scale, so a change of it can be told
 *   to the CSP and the review's chair, and counted nationally;
 * - the review's chair is kept as a contact for those emails.
 * Existing parts were assigned when they were imported and are due 56 days later.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recommendations', (t) => {
    t.text('level').notNullable().defaultTo('local');
    t.timestamp('triaged_at', { useTz: true });
    t.integer('triaged_by').references('users.id');
  });
  await knex.raw(`ALTER TABLE recommendations ADD CONSTRAINT recommendations_level
    CHECK (level IN ('local', 'regional', 'national'))`);

  await knex.schema.alterTable('recommendation_agencies', (t) => {
    t.date('assigned_on');
    t.date('response_due_on');
    t.text('extension_reason');
    t.timestamp('acknowledged_at', { useTz: true });
    t.integer('acknowledged_by').references('users.id');
    t.text('status').notNullable().defaultTo('missing');
  });
  await knex.raw(`ALTER TABLE recommendation_agencies ADD CONSTRAINT recommendation_agencies_status
    CHECK (status IN ('missing', 'not_met', 'already_happening', 'partly', 'fully_implemented'))`);
  await knex.raw(`ALTER TABLE recommendation_agencies ADD CONSTRAINT recommendation_agencies_due
    CHECK ((assigned_on IS NULL) = (response_due_on IS NULL))`);
  await knex.raw(`UPDATE recommendation_agencies ra SET
      assigned_on = (ra.created_at AT TIME ZONE 'Europe/London')::date,
      response_due_on = (ra.created_at AT TIME ZONE 'Europe/London')::date + 56,
      acknowledged_at = ra.responded_at,
      status = CASE
        WHEN ra.response IS NULL THEN 'missing'
        WHEN ra.response = 'not_accepted' THEN 'not_met'
        WHEN ra.implemented_at IS NOT NULL AND ra.response = 'accepted' THEN 'fully_implemented'
        WHEN ra.implemented_at IS NOT NULL THEN 'partly'
        WHEN EXISTS (SELECT 1 FROM recommendation_actions a
                      WHERE a.recommendation_agency_id = ra.id AND a.status = 'completed') THEN 'partly'
        ELSE 'not_met' END`);
  // The triage queue is read by what waits in it.
  await knex.raw(`CREATE INDEX recommendations_untriaged ON recommendations (id)
    WHERE level = 'national' AND triaged_at IS NULL`);

  await knex.schema.alterTable('reviews', (t) => {
    t.text('chair_name');
    t.text('chair_email');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropColumn('chair_name');
    t.dropColumn('chair_email');
  });
  await knex.raw('DROP INDEX recommendations_untriaged');
  await knex.raw('ALTER TABLE recommendation_agencies DROP CONSTRAINT recommendation_agencies_due');
  await knex.raw('ALTER TABLE recommendation_agencies DROP CONSTRAINT recommendation_agencies_status');
  await knex.schema.alterTable('recommendation_agencies', (t) => {
    for (const c of [
      'assigned_on',
      'response_due_on',
      'extension_reason',
      'acknowledged_at',
      'acknowledged_by',
      'status',
    ])
      t.dropColumn(c);
  });
  await knex.raw('ALTER TABLE recommendations DROP CONSTRAINT recommendations_level');
  await knex.schema.alterTable('recommendations', (t) => {
    t.dropColumn('level');
    t.dropColumn('triaged_at');
    t.dropColumn('triaged_by');
  });
}
