import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { types } from 'pg';

export type Db = Knex;
/** A connection or a transaction: stores and services accept either. */
export type Conn = Knex | Knex.Transaction;

export interface DbOptions {
  /** PostgreSQL connection string. Without it the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Directory of the embedded database; omit for an in-memory one. */
  embeddedDir?: string;
}

/** Dates (YYYY-MM-DD) come back as strings, not as Dates shifted by the local time zone. */
function keepDatesAsText(): void {
  types.setTypeParser(types.builtins.DATE, (value: string) => value);
  types.setTypeParser(types.builtins.INT8, (value: string) => Number(value));
}

export function connect(options: DbOptions): Db {
  if (options.databaseUrl) {
    keepDatesAsText();
    return knex({ client: 'pg', connection: options.databaseUrl, pool: { min: 0, max: 10 } });
  }
  if (options.embeddedDir) fs.mkdirSync(options.embeddedDir, { recursive: true });
  return knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: options.embeddedDir ? { filename: options.embeddedDir } : {},
  } as Knex.Config);
}

export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'migrations');

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] });
}
