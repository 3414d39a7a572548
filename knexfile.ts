/**
 * Configuration for the knex command line, run as `npm run knex -- migrate:status` (or
 * migrate:latest, migrate:rollback, migrate:make name -x ts). The app itself connects through
 * src/db/connect.ts with the same rules: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded database in $DATA_DIR/db.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

const migrations = { directory: path.join(__dirname, 'migrations'), loadExtensions: ['.ts'] };

const embeddedDir = path.join(path.resolve(process.env.DATA_DIR || './data'), 'db');
if (!process.env.DATABASE_URL) fs.mkdirSync(embeddedDir, { recursive: true });

const config: Knex.Config = process.env.DATABASE_URL
  ? { client: 'pg', connection: process.env.DATABASE_URL, migrations }
  : ({
      client: ClientPgLite,
      dialect: 'postgres',
      connection: { filename: embeddedDir },
      migrations,
    } as Knex.Config);

export default config;
