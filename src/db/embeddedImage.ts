/**
 * A new embedded database starts from a copy of one made when the app is installed: an empty,
 * migrated database (see scripts/prepareEmbedded.ts). Creating a database cluster (PostgreSQL's
 * initdb, run in WebAssembly) and migrating it take PGlite about 3 s; unpacking the copy takes
 * under 1 s. Migrations added since the copy was made run at start-up as on any database.
 * Without a copy (installed with --ignore-scripts, or PGlite upgraded since) the database is
 * created and migrated from nothing, as before.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Named by the PGlite version: a copy holds that version's files, and no other may open it. */
export function imagePath(): string {
  const pglite = path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(pglite, 'utf8')) as { version: string };
  return path.join(ROOT, 'node_modules', '.cache', 'dhr-qa', `embedded-database-pglite-${version}.tar.gz`);
}

/** The copy, when the data directory is new and a copy was made for this PGlite. */
export function startingImage(dataDir: string): Blob | undefined {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return undefined;
  try {
    return new Blob([fs.readFileSync(imagePath())]);
  } catch {
    return undefined;
  }
}
