import type { Knex } from 'knex';

/**
 * The oversight role (`commissioner`, such as the Domestic Abuse Commissioner's office): reads
 * published reviews, their recommendations and the national pages across every CSP, so it has
 * no CSP, force area or organisation of its own.
 */
const CONSTRAINT = (homeOffice: string) => `ALTER TABLE users ADD CONSTRAINT users_role_scope CHECK (
    (role IN (${homeOffice}) AND csp_id IS NULL AND police_force_area_id IS NULL AND organisation_id IS NULL)
    OR (role = 'csp' AND csp_id IS NOT NULL AND police_force_area_id IS NULL AND organisation_id IS NULL)
    OR (role = 'pcc' AND police_force_area_id IS NOT NULL AND csp_id IS NULL AND organisation_id IS NULL)
    OR (role = 'agency' AND organisation_id IS NOT NULL AND csp_id IS NULL AND police_force_area_id IS NULL))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_scope');
  await knex.raw(CONSTRAINT("'secretariat', 'panel', 'commissioner'"));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_scope');
  await knex.raw(CONSTRAINT("'secretariat', 'panel'"));
}
