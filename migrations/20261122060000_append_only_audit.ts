import type { Knex } from 'knex';

/**
 * The audit trails are append-only in the database itself: whatever the
 * application (or anyone with its credentials) runs, a recorded event cannot be
 * changed or removed.
 */
const TABLES = ['review_events', 'recommendation_events'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is an audit trail: its rows cannot be changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$`);
  for (const table of TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw(`DROP TRIGGER ${table}_append_only ON ${table}`);
  await knex.raw('DROP FUNCTION audit_append_only');
}
