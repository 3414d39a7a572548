import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Bodies that recommendations are addressed to: police forces, trusts, GP practices, councils...
  await knex.schema.createTable('organisations', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    // The name without case or punctuation, so "Harlow CCG" and "harlow c.c.g." are one body.
    t.text('name_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.alterTable('users', (t) => {
    t.integer('organisation_id').references('organisations.id');
  });
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_scope');
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_scope CHECK (
    (role IN ('secretariat', 'panel') AND csp_id IS NULL AND police_force_area_id IS NULL AND organisation_id IS NULL)
    OR (role = 'csp' AND csp_id IS NOT NULL AND police_force_area_id IS NULL AND organisation_id IS NULL)
    OR (role = 'pcc' AND police_force_area_id IS NOT NULL AND csp_id IS NULL AND organisation_id IS NULL)
    OR (role = 'agency' AND organisation_id IS NOT NULL AND csp_id IS NULL AND police_force_area_id IS NULL))`);

  await knex.schema.createTable('recommendations', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.integer('position').notNullable();
    t.text('number').notNullable();
    t.text('text').notNullable();
    t.jsonb('themes').notNullable().defaultTo('[]');
    t.timestamp('imported_at', { useTz: true }).notNullable();
    t.unique(['review_id', 'number']);
  });

  // One row per (recommendation, agency): that agency's response and progress.
  await knex.schema.createTable('recommendation_agencies', (t) => {
    t.increments('id');
    t.integer('recommendation_id').notNullable().references('recommendations.id').onDelete('CASCADE');
    t.integer('organisation_id').notNullable().references('organisations.id');
    t.text('response');
    t.text('rationale');
    t.timestamp('responded_at', { useTz: true });
    t.timestamp('implemented_at', { useTz: true });
    t.text('implementation_evidence');
    t.text('reopened_reason');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.unique(['recommendation_id', 'organisation_id']);
    t.index(['organisation_id']);
  });

  await knex.schema.createTable('recommendation_actions', (t) => {
    t.increments('id');
    t.integer('recommendation_agency_id').notNullable().references('recommendation_agencies.id').onDelete('CASCADE');
    t.text('description').notNullable();
    t.text('owner').notNullable();
    t.date('target_date').notNullable();
    t.text('status').notNullable().defaultTo('not_started');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('action_updates', (t) => {
    t.increments('id');
    t.integer('action_id').notNullable().references('recommendation_actions.id').onDelete('CASCADE');
    t.date('on').notNullable();
    t.text('text').notNullable();
    t.integer('author_id').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
  });

  // The audit trail of recommendations: append-only, like review_events.
  await knex.schema.createTable('recommendation_events', (t) => {
    t.bigIncrements('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.integer('recommendation_id').references('recommendations.id').onDelete('SET NULL');
    t.integer('organisation_id').references('organisations.id');
    t.text('type').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.integer('actor_id').references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['review_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'recommendation_events',
    'action_updates',
    'recommendation_actions',
    'recommendation_agencies',
    'recommendations',
  ]) {
    await knex.schema.dropTable(table);
  }
  await knex('users').where({ role: 'agency' }).delete();
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_scope');
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_scope CHECK (
    (role IN ('secretariat', 'panel') AND csp_id IS NULL AND police_force_area_id IS NULL)
    OR (role = 'csp' AND csp_id IS NOT NULL AND police_force_area_id IS NULL)
    OR (role = 'pcc' AND police_force_area_id IS NOT NULL AND csp_id IS NULL))`);
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('organisation_id');
  });
  await knex.schema.dropTable('organisations');
}
