import type { Knex } from 'knex';

/**
 * House templates: the secretariat's own wording for every letter and email, one row
 * per saved version (the shipped files are only the first). Versions are never
 * changed or removed, so any letter can be traced to the words it was drafted from.
 * Revision items gain points (an area that is a lead-in and bullet points), and
 * letters record the version of the template they were drafted from.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('house_templates', (t) => {
    t.increments('id');
    t.text('kind').notNullable();
    t.integer('version').notNullable();
    t.text('body').notNullable();
    // Null for the version shipped with the service.
    t.integer('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.integer('restored_from');
    t.unique(['kind', 'version']);
  });
  await knex.raw(
    'CREATE TRIGGER house_templates_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON house_templates FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()',
  );
  await knex.schema.alterTable('letters', (t) => {
    t.integer('template_version');
  });
  await knex.schema.alterTable('revision_items', (t) => {
    t.jsonb('points').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('revision_items', (t) => {
    t.dropColumn('points');
  });
  await knex.schema.alterTable('letters', (t) => {
    t.dropColumn('template_version');
  });
  await knex.schema.dropTable('house_templates');
}
