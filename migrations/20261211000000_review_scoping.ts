import type { Knex } from 'knex';

/**
 * What came before the review itself: whether the Secretary of State directed it (Domestic
 * Violence, Crime and Victims Act 2004, s.9(2)), and the early learning and immediate actions of
 * the scoping that led to it, which the review's page carries from then on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.boolean('directed_by_secretary_of_state').notNullable().defaultTo(false);
    t.text('early_learning').notNullable().defaultTo('');
    t.text('immediate_actions').notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropColumn('directed_by_secretary_of_state');
    t.dropColumn('early_learning');
    t.dropColumn('immediate_actions');
  });
}
