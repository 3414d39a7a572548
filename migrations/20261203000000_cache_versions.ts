import type { Knex } from 'knex';

/**
 * Data that rarely changes and is read on almost every request (the settings, the CSPs and
 * police force areas, the house templates) is kept in each app process. Every write to its
 * tables, by the app, the command line or anyone with SQL, adds one to its version here, in
 * the writer's own transaction; each request reads the versions with its session (one scalar
 * subselect, no extra round trip), and a process reads its copy afresh when one has moved on.
 */
const CACHED: Record<string, string[]> = {
  settings: ['settings'],
  directory: ['csps', 'police_force_areas'],
  house_templates: ['house_templates'],
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cache_versions', (t) => {
    t.text('name').primary();
    t.bigInteger('version').notNullable();
  });
  await knex.raw(`
    CREATE FUNCTION bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO cache_versions (name, version) VALUES (TG_ARGV[0], 1)
        ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1;
      RETURN NULL;
    END $$`);
  for (const [name, tables] of Object.entries(CACHED)) {
    for (const table of tables) {
      await knex.raw(
        `CREATE TRIGGER ${table}_cache_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_version('${name}')`,
      );
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const tables of Object.values(CACHED)) {
    for (const table of tables) await knex.raw(`DROP TRIGGER ${table}_cache_version ON ${table}`);
  }
  await knex.raw('DROP FUNCTION bump_cache_version');
  await knex.schema.dropTable('cache_versions');
}
