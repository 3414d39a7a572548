/**
 * The least-privilege PostgreSQL role the app serves with. The schema owner runs the
 * migrations and owns every table, trigger and function; the app connects as another
 * login role that may read and write the ordinary tables but may only read and add to
 * the audit trails, and, not owning them, can neither drop nor disable the triggers
 * that keep the audit trails append-only and sent letters frozen.
 */
import { connect, migrate, MIGRATIONS_DIR, type Db } from './connect';

/** Read and add only: no UPDATE, DELETE or TRUNCATE, whatever the triggers say. */
export const APPEND_ONLY_TABLES = [
  'review_events',
  'recommendation_events',
  'house_templates',
  'account_events',
  'stage_targets',
  'distribution_entries',
];
/** The app reads these to see whether the schema is up to date; only the owner migrates. */
const MIGRATION_TABLES = ['knex_migrations', 'knex_migrations_lock'];

export class AppRoleError extends Error {}

export interface GrantSummary {
  role: string;
  owner: string;
  schema: string;
  tables: number;
}

/**
 * Grants `role` what the app needs on the tables that exist now, makes tables and
 * sequences the owner creates later readable and writable by it too, and takes away
 * the audit trails' UPDATE, DELETE and TRUNCATE. Run it as the schema owner (or a
 * superuser) after migrating; running it again is harmless. The role itself is made
 * by the database administrator (CREATE ROLE ... LOGIN PASSWORD ...), so its password
 * never passes through this program.
 */
export async function grantAppRole(db: Db, role: string): Promise<GrantSummary> {
  return db.transaction(async (trx) => {
    const found = await trx('pg_roles').where('rolname', role).first('rolsuper', 'rolbypassrls');
    if (!found) {
      throw new AppRoleError(
        `There is no role "${role}": create it first, e.g. CREATE ROLE ${role} LOGIN PASSWORD '...'`,
      );
    }
    if (found.rolsuper) throw new AppRoleError(`"${role}" is a superuser, whom no privilege binds: use a plain role`);
    const { rows } = await trx.raw(
      `SELECT current_schema() AS schema, (SELECT tableowner FROM pg_tables
         WHERE schemaname = current_schema() AND tablename = 'review_events') AS owner`,
    );
    const { schema, owner } = rows[0] as { schema: string; owner: string | null };
    if (!owner) throw new AppRoleError('The schema has no tables yet: migrate first (npm run cli -- migrate)');
    const { rows: member } = await trx.raw('SELECT pg_has_role(?, ?, ?) AS yes', [role, owner, 'MEMBER']);
    if (member[0].yes) {
      throw new AppRoleError(
        `"${role}" owns the tables (or is a member of "${owner}"): the app needs a role of its own`,
      );
    }

    const grant = (sql: string, bindings: string[]) => trx.raw(sql, bindings);
    await grant('GRANT USAGE ON SCHEMA ?? TO ??', [schema, role]);
    await grant('REVOKE CREATE ON SCHEMA ?? FROM ??', [schema, role]);
    await grant('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ?? TO ??', [schema, role]);
    await grant('REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA ?? FROM ??', [schema, role]);
    for (const table of APPEND_ONLY_TABLES) {
      await grant('REVOKE UPDATE, DELETE ON ??.?? FROM ??', [schema, table, role]);
    }
    for (const table of MIGRATION_TABLES) {
      await grant('REVOKE INSERT, UPDATE, DELETE ON ??.?? FROM ??', [schema, table, role]);
    }
    // Inserting into a table with an identity or serial column draws from its sequence.
    await grant('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ?? TO ??', [schema, role]);
    // Tables that later migrations add are covered too (an audit table among them must be
    // added to APPEND_ONLY_TABLES: start-up with MIGRATION_DATABASE_URL re-runs this).
    await grant(
      'ALTER DEFAULT PRIVILEGES FOR ROLE ?? IN SCHEMA ?? GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ??',
      [owner, schema, role],
    );
    await grant('ALTER DEFAULT PRIVILEGES FOR ROLE ?? IN SCHEMA ?? GRANT USAGE, SELECT ON SEQUENCES TO ??', [
      owner,
      schema,
      role,
    ]);
    const [{ count }] = await trx('pg_tables').where('schemaname', schema).count({ count: '*' });
    return { role, owner, schema, tables: Number(count) };
  });
}

const currentUser = async (db: Db): Promise<string> => (await db.raw('SELECT current_user AS u')).rows[0].u;

const isPermissionDenied = (err: unknown) => (err as { code?: string }).code === '42501';

/**
 * Brings the schema up to date at start-up. With `migrationDatabaseUrl` (the schema
 * owner's connection) the owner migrates and then grants the app's role (DATABASE_URL's
 * user, when it is another role) its privileges. Without it, a database that is already
 * up to date is left alone, so an app role that may only read the migration tables
 * starts; one that is behind is migrated over `db` itself.
 */
export async function migrateOnStart(db: Db, migrationDatabaseUrl: string | undefined): Promise<void> {
  if (migrationDatabaseUrl) {
    const owner = connect({ databaseUrl: migrationDatabaseUrl });
    try {
      await migrate(owner);
      const appUser = await currentUser(db);
      if (appUser !== (await currentUser(owner))) await grantAppRole(owner, appUser);
    } finally {
      await owner.destroy();
    }
    return;
  }
  try {
    const [, pending] = await db.migrate.list({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] });
    if (pending.length > 0) await migrate(db);
  } catch (err) {
    if (!isPermissionDenied(err)) throw err;
    throw new AppRoleError(
      "The database schema is not up to date and DATABASE_URL's role may not change it: set MIGRATION_DATABASE_URL to the schema owner's connection, or run `npm run cli -- migrate` as the owner",
    );
  }
}
