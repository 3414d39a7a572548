import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { types } from 'pg';
import { log } from '../core/log';
import { startingImage } from './embeddedImage';

export type Db = Knex;
/** A connection or a transaction: stores and services accept either. */
export type Conn = Knex | Knex.Transaction;

export interface DbOptions {
  /** PostgreSQL connection string. Without it the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PostgreSQL connections kept at most (10 unless given). */
  poolSize?: number;
  /** Directory of the embedded database; omit for an in-memory one. */
  embeddedDir?: string;
  /** A dump of an embedded database to start from (the tests start from one already migrated). */
  embeddedImage?: Blob;
}

/**
 * Both engines give the same JavaScript types: dates (YYYY-MM-DD) as strings, not as Dates
 * shifted by the local time zone, and 64-bit integers (counts) as numbers.
 */
const EMBEDDED_PARSERS = {
  [pgliteTypes.DATE]: (value: string) => value,
  [pgliteTypes.INT8]: (value: string) => Number(value),
};
function keepDatesAsText(): void {
  types.setTypeParser(types.builtins.DATE, (value: string) => value);
  types.setTypeParser(types.builtins.INT8, (value: string) => Number(value));
}

/**
 * knex writes connection failures with their stack; while PostgreSQL is away that is
 * a stack per request. One line each says as much and keeps stacks out of the logs.
 */
function firstLine(message: unknown): void {
  const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
  log.warn({ source: 'knex' }, text.split('\n')[0]);
}
const oneLineLog = { warn: firstLine, error: firstLine, deprecate: firstLine, debug: firstLine };

export function connect(options: DbOptions): Db {
  if (options.databaseUrl) {
    keepDatesAsText();
    return knex({
      client: 'pg',
      // The app's queries are short; PostgreSQL's JIT compiler, which starts on estimated cost,
      // spent longer compiling the dashboard's queries (800 ms) than running them (100 ms).
      connection: { connectionString: options.databaseUrl, options: '-c jit=off' },
      pool: { min: 0, max: options.poolSize ?? 10 },
      // While PostgreSQL is unreachable a request waits at most this long for a connection, then
      // answers 503, instead of knex's default of a minute.
      acquireConnectionTimeout: 10_000,
      log: oneLineLog,
    });
  }
  if (options.embeddedDir) fs.mkdirSync(options.embeddedDir, { recursive: true });
  // (PGlite reads its options only after a data directory: 'memory://' is the in-memory one.)
  const pglite = new PGlite(options.embeddedDir ?? 'memory://', {
    parsers: EMBEDDED_PARSERS,
    loadDataDir: options.embeddedImage ?? (options.embeddedDir ? startingImage(options.embeddedDir) : undefined),
  });
  return knex({ client: ClientPgLite, dialect: 'postgres', connection: { pglite } } as Knex.Config);
}

export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'migrations');

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] });
}
